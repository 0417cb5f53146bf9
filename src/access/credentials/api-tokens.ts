import { randomBytes } from 'node:crypto';
import { fromBase64, toBase64 } from '../../core/bytes.js';
import { AppError } from '../../errors.js';
import { StateCollection } from '../../store/state-collection.js';
import type { Store } from '../../store/store.js';
import type { AccountRecord } from '../accounts.js';
import type { Grant, Role } from '../principal.js';
import { hashSecret, newSecret, secretMatches } from '../secrets.js';

const PREFIX = 'evt_';
const ID_LENGTH = 16;
/** Tokens expire; 90 days unless asked otherwise, at most a year. */
export const DEFAULT_TOKEN_TTL_MS = 90 * 24 * 3600 * 1000;
export const MAX_TOKEN_TTL_MS = 366 * 24 * 3600 * 1000;

/** An API token of a person or service (state kind `api_token`); the secret is never stored. */
export interface ApiTokenRecord {
  id: string;
  accountId: string;
  label: string | null;
  /** SHA-256 of the secret, base64 (256-bit random secrets: no slow hash needed). */
  secretHash: string;
  /** Narrows the account's roles for this token; null: all of them. */
  roles: Role[] | null;
  createdAtMs: number;
  createdBy: string;
  expiresAtMs: number;
  revokedAtMs: number | null;
  revokedBy: string | null;
  /**
   * True while a second admin has not approved it (a service token carrying a reading role,
   * admin/reader-grants.ts): such a token authenticates nobody. Absent in older documents.
   */
  awaitingApproval?: boolean;
}

export interface CreatedToken {
  /** `evt_<id>_<secret>`: shown once. */
  token: string;
  record: ApiTokenRecord;
}

export class ApiTokens {
  readonly tokens: StateCollection<ApiTokenRecord>;

  constructor(store: Store) {
    this.tokens = new StateCollection(store, 'api_token');
  }

  async create(input: {
    accountId: string;
    label: string | null;
    roles: Role[] | null;
    expiresAtMs: number;
    createdBy: string;
    nowMs: number;
    awaitingApproval?: boolean;
  }): Promise<CreatedToken> {
    const id = randomBytes(ID_LENGTH / 2).toString('hex');
    const secret = newSecret();
    const record: ApiTokenRecord = {
      id,
      accountId: input.accountId,
      label: input.label,
      secretHash: toBase64(hashSecret(secret)),
      roles: input.roles,
      createdAtMs: input.nowMs,
      createdBy: input.createdBy,
      expiresAtMs: input.expiresAtMs,
      revokedAtMs: null,
      revokedBy: null,
      ...(input.awaitingApproval ? { awaitingApproval: true } : {}),
    };
    await this.tokens.create(id, record, input.nowMs);
    return { token: `${PREFIX}${id}_${secret}`, record };
  }

  /** The token's record when `token` is live (right secret, not expired, not revoked). */
  async check(token: string, nowMs: number): Promise<ApiTokenRecord | undefined> {
    if (!isApiTokenFormat(token) || token[PREFIX.length + ID_LENGTH] !== '_') return undefined;
    const id = token.slice(PREFIX.length, PREFIX.length + ID_LENGTH);
    const doc = await this.tokens.get(id);
    if (!doc) return undefined;
    const secret = token.slice(PREFIX.length + ID_LENGTH + 1);
    const hash = fromBase64(doc.value.secretHash);
    if (!hash || !secretMatches(secret, hash)) return undefined;
    const r = doc.value;
    return r.revokedAtMs === null && r.expiresAtMs > nowMs && !r.awaitingApproval ? r : undefined;
  }

  async forAccount(accountId: string): Promise<ApiTokenRecord[]> {
    return (await this.tokens.all()).map((d) => d.value).filter((t) => t.accountId === accountId);
  }

  /** A token a second admin approved starts working; 404 when no such token. */
  async approve(id: string, nowMs: number): Promise<ApiTokenRecord> {
    const updated = await this.tokens.update(id, ({ awaitingApproval: _, ...t }) => t, nowMs);
    if (!updated) throw new AppError('not_found', `no token ${id}`);
    return updated.value;
  }

  /** Revoking twice keeps the first time; 404 when no such token. */
  async revoke(id: string, by: string, nowMs: number): Promise<ApiTokenRecord> {
    const updated = await this.tokens.update(
      id,
      (t) => (t.revokedAtMs === null ? { ...t, revokedAtMs: nowMs, revokedBy: by } : t),
      nowMs,
    );
    if (!updated) throw new AppError('not_found', `no token ${id}`);
    return updated.value;
  }
}

export function isApiTokenFormat(token: string): boolean {
  return token.startsWith(PREFIX);
}

/** What a token may use: the account's grants, narrowed to the token's roles. */
export function tokenGrants(account: AccountRecord, token: ApiTokenRecord): Grant[] {
  if (token.roles === null) return account.grants;
  return account.grants.filter((g) => token.roles!.includes(g.role));
}
