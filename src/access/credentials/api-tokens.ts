import { randomBytes } from 'node:crypto';
import { fromBase64, toBase64 } from '../../core/bytes.js';
import { AppError } from '../../errors.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import {
  type ApiTokenRow,
  apiTokenById,
  apiTokensOfPrincipal,
  approveApiToken,
  insertApiToken,
  revokeApiToken,
  touchApiToken,
} from '../../store/tables/credentials/api-tokens-table.js';
import type { AccountRecord } from '../accounts/accounts.js';
import { type Grant, ROLES, type Role } from '../principal.js';
import { hashSecret, newSecret, secretMatches } from './secrets.js';

const PREFIX = 'evt_';
const ID_LENGTH = 16;
/** Tokens expire; 90 days unless asked otherwise, at most a year. */
export const DEFAULT_TOKEN_TTL_MS = 90 * 24 * 3600 * 1000;
export const MAX_TOKEN_TTL_MS = 366 * 24 * 3600 * 1000;
/** How stale a token's last use may get before a request writes it (one write a minute at most). */
export const TOKEN_TOUCH_INTERVAL_MS = 60_000;

/** An API token of a person or service (table api_tokens); the secret is never stored. */
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
  /** Noted at most once a minute (TOKEN_TOUCH_INTERVAL_MS); null: never used. */
  lastUsedAtMs: number | null;
  /**
   * True while a second admin has not approved it (a service token carrying a reading role,
   * admin/reader-grants.ts): such a token authenticates nobody.
   */
  awaitingApproval: boolean;
}

export interface CreatedToken {
  /** `evt_<id>_<secret>`: shown once. */
  token: string;
  record: ApiTokenRecord;
}

export interface NewToken {
  accountId: string;
  label: string | null;
  roles: Role[] | null;
  expiresAtMs: number;
  createdBy: string;
  nowMs: number;
  awaitingApproval?: boolean;
}

/**
 * The API tokens of the log. Reads and single writes go to the committed state; the
 * `…Within` forms take a transaction, so a token's creation or revocation commits with its
 * event (admin/account-tokens.ts runs them inside `recordWithin`).
 */
export class ApiTokens {
  constructor(private readonly state: QueryRunner) {}

  /** Stores a new token in `tx`; returns it with its secret (shown once). */
  async createWithin(tx: QueryRunner, input: NewToken): Promise<CreatedToken> {
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
      lastUsedAtMs: null,
      awaitingApproval: input.awaitingApproval === true,
    };
    // 64 random bits of id: a collision is a primary-key violation, a 500, not a silent overwrite.
    await insertApiToken(tx, { ...rowOf(record), version: 1 });
    return { token: `${PREFIX}${id}_${secret}`, record };
  }

  /** A token stored on its own, with no event (tests, benchmarks). */
  create(input: NewToken): Promise<CreatedToken> {
    return this.createWithin(this.state, input);
  }

  /**
   * The token's record when `token` is live (right secret, not expired, not revoked, not
   * waiting for approval): one read by primary key, and a write at most once a minute to
   * note the use.
   */
  async check(token: string, nowMs: number): Promise<ApiTokenRecord | undefined> {
    if (!isApiTokenFormat(token) || token[PREFIX.length + ID_LENGTH] !== '_') return undefined;
    const id = token.slice(PREFIX.length, PREFIX.length + ID_LENGTH);
    const row = await apiTokenById(this.state, id);
    if (!row) return undefined;
    const secret = token.slice(PREFIX.length + ID_LENGTH + 1);
    const hash = fromBase64(row.secretHash);
    if (!hash || !secretMatches(secret, hash)) return undefined;
    const r = recordOf(row);
    if (r.revokedAtMs !== null || r.expiresAtMs <= nowMs || r.awaitingApproval) return undefined;
    const staleBeforeMs = nowMs - TOKEN_TOUCH_INTERVAL_MS;
    if (r.lastUsedAtMs === null || r.lastUsedAtMs < staleBeforeMs) {
      await touchApiToken(this.state, id, nowMs, staleBeforeMs);
    }
    return r;
  }

  async get(id: string, q: QueryRunner = this.state): Promise<ApiTokenRecord | undefined> {
    const row = await apiTokenById(q, id);
    return row && recordOf(row);
  }

  /** One account's tokens, oldest first: an index walk, not a scan of every token. */
  async forAccount(accountId: string): Promise<ApiTokenRecord[]> {
    return (await apiTokensOfPrincipal(this.state, accountId)).map(recordOf);
  }

  /** A token a second admin approved starts working; 404 when no such token. */
  async approve(id: string, _nowMs: number, q: QueryRunner = this.state): Promise<ApiTokenRecord> {
    if ((await approveApiToken(q, id)) === 0) throw new AppError('not_found', `no token ${id}`);
    return (await this.get(id, q))!;
  }

  /**
   * Revokes in `tx`; revoking twice keeps the first time (`revokedNow` says whether this call
   * did it, so only that one is an event). 404 when no such token.
   */
  async revokeWithin(
    tx: QueryRunner,
    id: string,
    by: string,
    nowMs: number,
  ): Promise<{ token: ApiTokenRecord; revokedNow: boolean }> {
    const revokedNow = (await revokeApiToken(tx, id, by, nowMs)) === 1;
    const token = await this.get(id, tx);
    if (!token) throw new AppError('not_found', `no token ${id}`);
    return { token, revokedNow };
  }

  /** Revokes on its own, with no event (a rejected approval's token, tests). */
  async revoke(
    id: string,
    by: string,
    nowMs: number,
    q: QueryRunner = this.state,
  ): Promise<ApiTokenRecord> {
    return (await this.revokeWithin(q, id, by, nowMs)).token;
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

function recordOf(row: ApiTokenRow): ApiTokenRecord {
  return {
    id: row.id,
    accountId: row.principalId,
    label: row.label,
    secretHash: row.secretHash,
    roles: row.roles === null ? null : row.roles.map((r) => roleOf(r, row.id)),
    createdAtMs: row.createdAtMs,
    createdBy: row.createdBy,
    expiresAtMs: row.expiresAtMs,
    revokedAtMs: row.revokedAtMs,
    revokedBy: row.revokedBy,
    lastUsedAtMs: row.lastUsedAtMs,
    awaitingApproval: row.awaitingApproval,
  };
}

function rowOf(r: ApiTokenRecord): Omit<ApiTokenRow, 'version'> {
  const { accountId, ...rest } = r;
  return { ...rest, principalId: accountId };
}

function roleOf(name: string, tokenId: string): Role {
  if (!(ROLES as readonly string[]).includes(name)) {
    // Written only from the closed list: another value is a corrupted row, not a request error.
    throw new Error(`api token ${tokenId} carries the unknown role "${name}"`);
  }
  return name as Role;
}
