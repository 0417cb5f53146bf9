import type {
  AccountRecord,
  CredentialKind,
  CredentialSetting,
} from '../../../access/accounts/accounts.js';
import { type Grant, ROLES, type Role } from '../../../access/principal.js';
import { int } from '../../rows.js';
import type { AccountRolesTable, AccountsTable } from './accounts-tables.js';

/** Rows ↔ AccountRecord. JSON columns are checked here, never cast. */

const CREDENTIAL_KINDS: readonly string[] = ['password', 'oidc', 'token'];

export function accountFromRows(
  row: AccountsTable,
  roles: readonly AccountRolesTable[],
): AccountRecord {
  const kind = row.kind;
  if (kind !== 'person' && kind !== 'service') throw corrupt(`account ${row.id}`, `kind ${kind}`);
  return {
    id: row.id,
    kind,
    name: row.name,
    displayName: row.display_name,
    email: row.email,
    grants: [...roles]
      .sort((a, b) => int(a.position) - int(b.position))
      .map((r) => grantFromRow(row.id, r)),
    passwordHash: row.password_hash,
    oidc:
      row.oidc_issuer !== null && row.oidc_subject !== null
        ? { issuer: row.oidc_issuer, subject: row.oidc_subject }
        : null,
    disabled: int(row.disabled) === 1,
    createdAtMs: int(row.created_at_ms),
    createdBy: row.created_by,
    signIn: {
      failures: int(row.sign_in_failures),
      lastFailureMs: intOrNull(row.sign_in_last_failure_ms),
      lockedUntilMs: intOrNull(row.sign_in_locked_until_ms),
      lastSuccessMs: intOrNull(row.sign_in_last_success_ms),
    },
    credentialsSetBy: credentialSettings(
      row.id,
      parseJson(`account ${row.id}`, row.credentials_set_by),
    ),
  };
}

export function accountToRow(
  account: AccountRecord,
  version: number,
  updatedAtMs: number,
): AccountsTable {
  return {
    id: account.id,
    kind: account.kind,
    name: account.name,
    display_name: account.displayName,
    email: account.email,
    password_hash: account.passwordHash,
    oidc_issuer: account.oidc?.issuer ?? null,
    oidc_subject: account.oidc?.subject ?? null,
    disabled: account.disabled ? 1 : 0,
    created_at_ms: account.createdAtMs,
    created_by: account.createdBy,
    sign_in_failures: account.signIn.failures,
    sign_in_last_failure_ms: account.signIn.lastFailureMs,
    sign_in_locked_until_ms: account.signIn.lockedUntilMs,
    sign_in_last_success_ms: account.signIn.lastSuccessMs,
    credentials_set_by: JSON.stringify(account.credentialsSetBy ?? []),
    version,
    updated_at_ms: updatedAtMs,
  };
}

export function roleRows(account: Pick<AccountRecord, 'id' | 'grants'>): AccountRolesTable[] {
  return account.grants.map((g, position) => ({
    account_id: account.id,
    role: g.role,
    sources: g.sources === undefined ? null : JSON.stringify(g.sources),
    position,
  }));
}

function grantFromRow(accountId: string, row: AccountRolesTable): Grant {
  if (!(ROLES as readonly string[]).includes(row.role))
    throw corrupt(`account ${accountId}`, `role ${row.role}`);
  const role = row.role as Role;
  if (row.sources === null) return { role };
  const sources = parseJson(`account ${accountId}`, row.sources);
  if (!Array.isArray(sources) || !sources.every((s) => typeof s === 'string')) {
    throw corrupt(`account ${accountId}`, `sources of ${role}`);
  }
  return { role, sources };
}

/** Grants from stored JSON: [{ role, sources? }], roles known, sources strings. */
export function storedGrants(owner: string, value: unknown): Grant[] {
  if (!Array.isArray(value)) throw corrupt(owner, 'grants');
  return value.map((g: unknown) => {
    const o = g as Record<string, unknown> | null;
    if (typeof o !== 'object' || o === null || !(ROLES as readonly unknown[]).includes(o.role)) {
      throw corrupt(owner, 'grants');
    }
    if (o.sources === undefined) return { role: o.role as Role };
    if (!Array.isArray(o.sources) || !o.sources.every((s) => typeof s === 'string')) {
      throw corrupt(owner, 'grants');
    }
    return { role: o.role as Role, sources: [...o.sources] };
  });
}

export function credentialSettings(accountId: string, value: unknown): CredentialSetting[] {
  if (!Array.isArray(value)) throw corrupt(`account ${accountId}`, 'credentials_set_by');
  return value.map((s: unknown) => {
    const o = s as Record<string, unknown> | null;
    if (
      typeof o !== 'object' ||
      o === null ||
      typeof o.by !== 'string' ||
      typeof o.credential !== 'string' ||
      !CREDENTIAL_KINDS.includes(o.credential) ||
      !Number.isSafeInteger(o.atMs)
    ) {
      throw corrupt(`account ${accountId}`, 'credentials_set_by');
    }
    return { by: o.by, credential: o.credential as CredentialKind, atMs: o.atMs as number };
  });
}

function parseJson(owner: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(owner, 'a JSON column');
  }
}

function intOrNull(value: number | string | null): number | null {
  return value === null ? null : int(value);
}

function corrupt(owner: string, what: string): Error {
  return new Error(`${owner} has an unreadable ${what} in the database`);
}
