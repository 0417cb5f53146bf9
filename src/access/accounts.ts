import { createHash } from 'node:crypto';
import { AppError } from '../errors.js';
import { StateCollection } from '../store/state-collection.js';
import type { Store } from '../store/store.js';
import { type Grant, ROLES, type Role } from './principal.js';
import { parseSourcePattern } from './source-scope.js';

/** A person or a service principal, as stored (state kind `account`). */
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
 * The accounts of the log, with the two lookups sign-in needs (by name, by OIDC identity)
 * kept as their own documents so uniqueness holds under concurrent creation.
 */
export class AccountDirectory {
  readonly accounts: StateCollection<AccountRecord>;
  private readonly byName: StateCollection<{ accountId: string }>;
  private readonly byOidc: StateCollection<{ accountId: string }>;

  constructor(store: Store) {
    this.accounts = new StateCollection(store, 'account');
    this.byName = new StateCollection(store, 'account_name');
    this.byOidc = new StateCollection(store, 'account_oidc');
  }

  async get(id: string): Promise<AccountRecord | undefined> {
    return (await this.accounts.get(id))?.value;
  }

  async findByName(name: string): Promise<AccountRecord | undefined> {
    const link = await this.byName.get(name);
    return link ? this.get(link.value.accountId) : undefined;
  }

  async findByOidc(issuer: string, subject: string): Promise<AccountRecord | undefined> {
    const link = await this.byOidc.get(oidcKey(issuer, subject));
    return link ? this.get(link.value.accountId) : undefined;
  }

  async list(): Promise<AccountRecord[]> {
    return (await this.accounts.all()).map((d) => d.value);
  }

  /** Creates the account; 409 when the name or the OIDC identity is taken. */
  async create(account: AccountRecord): Promise<void> {
    if (!(await this.byName.create(account.name, { accountId: account.id }, account.createdAtMs))) {
      throw new AppError('name_taken', `an account named "${account.name}" exists`, {
        path: 'name',
      });
    }
    try {
      if (account.oidc) await this.linkOidc(account.id, account.oidc, account.createdAtMs);
      if (!(await this.accounts.create(account.id, account, account.createdAtMs))) {
        throw new AppError('id_taken', `an account with id ${account.id} exists`);
      }
    } catch (error) {
      // Release the name reserved above, so a refused creation leaves nothing behind.
      await this.byName.delete(account.name, 1);
      throw error;
    }
  }

  /** Applies `change` with compare-and-set; 404 when there is no such account. */
  async update(
    id: string,
    change: (current: AccountRecord) => AccountRecord,
    atMs: number,
  ): Promise<AccountRecord> {
    const updated = await this.accounts.update(id, change, atMs);
    if (!updated) throw new AppError('not_found', `no principal ${id}`);
    return updated.value;
  }

  async linkOidc(
    accountId: string,
    oidc: { issuer: string; subject: string },
    atMs: number,
  ): Promise<void> {
    if (!(await this.byOidc.create(oidcKey(oidc.issuer, oidc.subject), { accountId }, atMs))) {
      throw new AppError(
        'identity_linked',
        'that OpenID Connect identity is linked to another account',
        {
          path: 'oidc_subject',
        },
      );
    }
  }
}

function oidcKey(issuer: string, subject: string): string {
  return createHash('sha256').update(`${issuer}\n${subject}`).digest('hex');
}
