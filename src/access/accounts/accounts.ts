import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import {
  type AccountPageFilter,
  accountById,
  accountByName,
  accountByOidc,
  accountPage,
  changeAccount,
  insertAccount,
} from '../../store/tables/accounts/accounts-table.js';
import { parseSourcePattern } from '../authorization/source-scope.js';
import { type Grant, ROLES, type Role } from '../principal.js';

/** A person or a service principal, as stored (tables `accounts` and `account_roles`). */
export interface AccountRecord {
  id: string;
  kind: 'person' | 'service';
  /** Unique sign-in name: lower-case letters, digits, '.', '_', '-', '@'. */
  name: string;
  displayName: string | null;
  email: string | null;
  grants: Grant[];
  /** PHC-style scrypt string (passwords.ts); null: no password sign-in. */
  passwordHash: string | null;
  /** The OpenID Connect identity that signs in as this person; null: none. */
  oidc: { issuer: string; subject: string } | null;
  disabled: boolean;
  createdAtMs: number;
  createdBy: string;
  signIn: SignInState;
  /**
   * Who set this account's credentials, when it was not the account itself: a password, an
   * OpenID Connect link, an API token (admin/credential-control.ts). Entries older than the
   * control window are dropped on the next write. Absent in documents written before it was
   * kept: nobody is known to have set them.
   */
  credentialsSetBy?: CredentialSetting[];
}

export type CredentialKind = 'password' | 'oidc' | 'token';

export interface CredentialSetting {
  by: string;
  credential: CredentialKind;
  atMs: number;
}

/** Failed sign-ins, for back-off and lock-out (sessions). */
export interface SignInState {
  failures: number;
  lastFailureMs: number | null;
  lockedUntilMs: number | null;
  lastSuccessMs: number | null;
}

export const NAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,127}$/;

export function parseAccountName(name: unknown, path = 'name'): string {
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    throw new AppError(
      'invalid_field',
      `"${path}" must be 1–128 lower-case letters, digits, '.', '_', '-' or '@', starting with a letter or digit`,
      { path },
    );
  }
  return name;
}

/** Grants from a request body: [{ role, sources? }], each role at most once. */
export function parseGrants(value: unknown, path = 'roles'): Grant[] {
  if (!Array.isArray(value)) {
    throw new AppError('invalid_field', `"${path}" must be an array of { role, sources? }`, {
      path,
    });
  }
  const seen = new Set<Role>();
  return value.map((item, i) => {
    const at = `${path}[${i}]`;
    const g = typeof item === 'string' ? { role: item } : item;
    if (typeof g !== 'object' || g === null || Array.isArray(g)) {
      throw new AppError('invalid_field', `${at} must be a role name or { role, sources? }`, {
        path: at,
      });
    }
    const { role, sources, ...rest } = g as Record<string, unknown>;
    const unknown = Object.keys(rest)[0];
    if (unknown !== undefined) {
      throw new AppError('unknown_field', `${at} has an unknown field "${unknown}"`, {
        path: `${at}.${unknown}`,
      });
    }
    if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
      throw new AppError('invalid_field', `${at}.role must be one of ${ROLES.join(', ')}`, {
        path: `${at}.role`,
      });
    }
    if (seen.has(role as Role)) {
      throw new AppError('invalid_field', `role "${role}" is listed twice`, { path: `${at}.role` });
    }
    seen.add(role as Role);
    if (sources === undefined) return { role: role as Role };
    if (role === 'admin') {
      throw new AppError(
        'invalid_field',
        'the admin role cannot be limited to sources: it manages the whole log',
        { path: `${at}.sources` },
      );
    }
    if (!Array.isArray(sources) || sources.length === 0 || sources.length > 100) {
      throw new AppError('invalid_field', `${at}.sources must be a list of 1–100 patterns`, {
        path: `${at}.sources`,
      });
    }
    return {
      role: role as Role,
      sources: sources.map((s, j) => {
        const p = `${at}.sources[${j}]`;
        if (typeof s !== 'string') {
          throw new AppError('invalid_field', `${p} must be a string`, { path: p });
        }
        return parseSourcePattern(s, p);
      }),
    };
  });
}

export function hasRole(account: Pick<AccountRecord, 'grants'>, role: Role): boolean {
  return account.grants.some((g) => g.role === role);
}

/**
 * The accounts of the log as committed (tables `accounts` and `account_roles`): what sign-in,
 * sessions and authentication read, and the one-account changes they make (sign-in counters).
 * Names and OpenID identities are unique by constraint. Administrative changes go through
 * admin/ in a transaction with their events instead.
 */
export class AccountDirectory {
  constructor(private readonly store: Store) {}

  get(id: string): Promise<AccountRecord | undefined> {
    return accountById(this.store.state, id);
  }

  findByName(name: string): Promise<AccountRecord | undefined> {
    return accountByName(this.store.state, name);
  }

  findByOidc(issuer: string, subject: string): Promise<AccountRecord | undefined> {
    return accountByOidc(this.store.state, issuer, subject);
  }

  /** One page in creation order, filtered in SQL. */
  page(filter: AccountPageFilter): Promise<AccountRecord[]> {
    return accountPage(this.store.state, filter);
  }

  /** Every account, read page by page (tests and small tools; the API pages instead). */
  async list(): Promise<AccountRecord[]> {
    const out: AccountRecord[] = [];
    for (;;) {
      const last = out[out.length - 1];
      const page = await this.page({ limit: 500, ...(last ? { afterId: last.id } : {}) });
      out.push(...page);
      if (page.length < 500) return out;
    }
  }

  /** Creates the account; 409 when the name or the OpenID identity is taken. */
  create(account: AccountRecord): Promise<void> {
    return this.store.transaction((tx) => insertAccount(tx, account, account.createdAtMs));
  }

  /**
   * Applies `change` to the current account in one transaction (the row is locked while it
   * runs); 404 when there is no such account. `change` may throw to leave it untouched.
   */
  async update(
    id: string,
    change: (current: AccountRecord) => AccountRecord,
    atMs: number,
  ): Promise<AccountRecord> {
    const updated = await this.store.transaction((tx) => changeAccount(tx, id, change, atMs));
    if (!updated) throw new AppError('not_found', `no principal ${id}`);
    return updated;
  }
}
