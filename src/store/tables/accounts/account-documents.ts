import type { AccountRecord } from '../../../access/accounts/accounts.js';
import { APPROVAL_CHANGES, type ApprovalRecord } from '../../../access/admin/approval.js';
import type { DocMove, MovedDoc } from '../../doc-move.js';
import { accountToRow, credentialSettings, roleRows, storedGrants } from './account-rows.js';
import { approvalPayload, approvalToRow } from './approval-rows.js';

/**
 * Migration 5 moves the `account` and `approval` documents of the old `state` table into rows
 * (the `account_name` / `account_oidc` documents go: UNIQUE constraints now keep what they
 * kept). Each document is checked field by field; one that does not read stops the migration
 * with its id, rather than be moved half-understood.
 */

type StateDocument = MovedDoc;

export function accountRowsOf(doc: StateDocument): Record<string, unknown>[] {
  return [{ ...accountToRow(accountDocument(doc), doc.version, doc.updatedAtMs) }];
}

export function accountRoleRowsOf(doc: StateDocument): Record<string, unknown>[] {
  return roleRows(accountDocument(doc)).map((r) => ({ ...r }));
}

export function approvalRowsOf(doc: StateDocument): Record<string, unknown>[] {
  return [{ ...approvalToRow(approvalDocument(doc), doc.version, doc.updatedAtMs) }];
}

function accountDocument(doc: StateDocument): AccountRecord {
  const v = objectOf(doc, 'account');
  const signIn = v.signIn as Record<string, unknown> | undefined;
  const oidc = v.oidc as Record<string, unknown> | null | undefined;
  const ok =
    v.id === doc.id &&
    (v.kind === 'person' || v.kind === 'service') &&
    typeof v.name === 'string' &&
    nullableText(v.displayName) &&
    nullableText(v.email) &&
    nullableText(v.passwordHash) &&
    (oidc === null ||
      (typeof oidc === 'object' &&
        oidc !== undefined &&
        typeof oidc.issuer === 'string' &&
        typeof oidc.subject === 'string')) &&
    typeof v.disabled === 'boolean' &&
    Number.isSafeInteger(v.createdAtMs) &&
    typeof v.createdBy === 'string' &&
    typeof signIn === 'object' &&
    signIn !== null &&
    Number.isSafeInteger(signIn.failures) &&
    nullableInt(signIn.lastFailureMs) &&
    nullableInt(signIn.lockedUntilMs) &&
    nullableInt(signIn.lastSuccessMs);
  if (!ok) throw unreadable('account', doc.id);
  try {
    return {
      ...(v as unknown as AccountRecord),
      grants: storedGrants(`account ${doc.id}`, v.grants),
      credentialsSetBy:
        v.credentialsSetBy === undefined ? [] : credentialSettings(doc.id, v.credentialsSetBy),
    };
  } catch {
    throw unreadable('account', doc.id);
  }
}

function approvalDocument(doc: StateDocument): ApprovalRecord {
  const v = objectOf(doc, 'approval');
  const ref = (r: unknown) =>
    typeof r === 'object' &&
    r !== null &&
    typeof (r as Record<string, unknown>).id === 'string' &&
    typeof (r as Record<string, unknown>).name === 'string';
  const ok =
    v.id === doc.id &&
    (APPROVAL_CHANGES as readonly unknown[]).includes(v.change) &&
    ref(v.subject) &&
    ref(v.requestedBy) &&
    Number.isSafeInteger(v.requestedAtMs) &&
    Number.isSafeInteger(v.expiresAtMs) &&
    nullableText(v.reason) &&
    (v.status === 'pending' || v.status === 'approved' || v.status === 'rejected') &&
    (v.decidedBy === null || ref(v.decidedBy)) &&
    nullableInt(v.decidedAtMs) &&
    nullableText(v.decisionReason);
  if (!ok) throw unreadable('approval', doc.id);
  try {
    const { grants, tokenId, ...rest } = v;
    return {
      ...(rest as unknown as ApprovalRecord),
      ...approvalPayload(doc.id, { grants, tokenId }),
    };
  } catch {
    throw unreadable('approval', doc.id);
  }
}

function objectOf(doc: StateDocument, kind: string): Record<string, unknown> {
  if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
    throw unreadable(kind, doc.id);
  }
  return doc.value as Record<string, unknown>;
}

const nullableText = (x: unknown) => x === null || typeof x === 'string';
const nullableInt = (x: unknown) => x === null || Number.isSafeInteger(x);

function unreadable(kind: string, id: string): Error {
  return new Error(
    `migration 5 cannot read the ${kind} document ${id} of the state table; fix or remove it, then start again`,
  );
}

/**
 * Migration 5's data step, the same on both adapters: accounts before their roles (the roles
 * refer to them); the name and OpenID lookup documents and the old admin lock lease are
 * dropped (constraints and row locks do their jobs now).
 */
export const ACCOUNT_DOC_MOVES: readonly DocMove[] = [
  { kind: 'account', table: 'accounts', toRows: accountRowsOf },
  { kind: 'account', table: 'account_roles', toRows: accountRoleRowsOf },
  { kind: 'account_name', table: 'accounts', toRows: () => [] },
  { kind: 'account_oidc', table: 'accounts', toRows: () => [] },
  { kind: 'lock', table: 'accounts', toRows: () => [] },
  { kind: 'approval', table: 'approvals', toRows: approvalRowsOf },
];
