import { createHash } from 'node:crypto';
import { isUniqueViolation, type QueryRunner } from '../../store/sql/query-runner.js';
import {
  deleteExpiredSessions,
  deleteSession,
  deleteSessionsOfPrincipal,
  insertSession,
  type SessionRow,
  sessionById,
  sessionsOfPrincipal,
  touchSession,
} from '../../store/tables/credentials/sessions-table.js';
import type { AccountDirectory, AccountRecord } from '../accounts/accounts.js';
import { accountPrincipal, type SessionResolver } from '../authentication/authenticate.js';
import type { AccountPrincipal } from '../principal.js';
import { newSecret } from './secrets.js';
import { DEFAULT_SESSION_TIMEOUTS, type SessionTimeouts } from './session-timeouts.js';

export type SignInMethod = 'password' | 'oidc';

/**
 * A person's signed-in session (table sessions). Its id is the SHA-256 of the cookie
 * value: the cookie itself is never stored, so reading the database does not let anyone
 * sign in. The CSRF token is derived from the cookie too (csrfTokenOf), so it is not stored
 * either.
 */
export interface SessionRecord {
  accountId: string;
  method: SignInMethod;
  createdAtMs: number;
  /** Moved forward at most once a minute (TOUCH_INTERVAL_MS), not on every request. */
  lastSeenAtMs: number;
  ip: string | null;
  userAgent: string | null;
}

// Defined apart so that `serve`'s option parsing names the defaults without this service.
export { DEFAULT_SESSION_TIMEOUTS, type SessionTimeouts };

/** How stale lastSeenAtMs may get before a request writes it: idle expiry is this coarse. */
export const TOUCH_INTERVAL_MS = 60_000;
const PURGE_INTERVAL_MS = 10 * 60_000;
/** newSecret(): 32 random bytes, base64url. Anything else is not a session of ours. */
const COOKIE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function sessionIdOf(cookie: string): string {
  return createHash('sha256').update(cookie, 'utf8').digest('hex');
}

/**
 * The double-submit token for a session: a hash of the cookie under another label, so it
 * cannot be computed from the session id that appears in audit events.
 */
export function csrfTokenOf(cookie: string): string {
  return createHash('sha256').update(`evident csrf\n${cookie}`, 'utf8').digest('base64url');
}

export interface SessionExpiry {
  idleExpiresAtMs: number;
  absoluteExpiresAtMs: number;
  /** The earlier of the two. */
  expiresAtMs: number;
}

export function sessionExpiry(s: SessionRecord, timeouts: SessionTimeouts): SessionExpiry {
  const idleExpiresAtMs = s.lastSeenAtMs + timeouts.idleMs;
  const absoluteExpiresAtMs = s.createdAtMs + timeouts.absoluteMs;
  return {
    idleExpiresAtMs,
    absoluteExpiresAtMs,
    expiresAtMs: Math.min(idleExpiresAtMs, absoluteExpiresAtMs),
  };
}

export interface StartedSession {
  /** The cookie value: handed to the browser once, never stored. */
  cookie: string;
  id: string;
  csrfToken: string;
  record: SessionRecord;
}

/**
 * The sessions of the log, and the resolver the Authenticator asks about a cookie. Sign-in,
 * sign-out and ending an account's sessions take a transaction (`…Within`), so the change
 * commits with its event (access/sign-in/).
 */
export class Sessions implements SessionResolver {
  private nextPurgeMs = 0;

  constructor(
    private readonly state: QueryRunner,
    private readonly accounts: AccountDirectory,
    readonly timeouts: SessionTimeouts = DEFAULT_SESSION_TIMEOUTS,
  ) {}

  /** Deletes expired sessions every ten minutes at most (called before a sign-in). */
  async purgeNowAndThen(nowMs: number): Promise<void> {
    if (nowMs < this.nextPurgeMs) return;
    this.nextPurgeMs = nowMs + PURGE_INTERVAL_MS;
    await this.purgeExpired(nowMs);
  }

  /** A session started on its own, with no event (tests). */
  async start(
    account: AccountRecord,
    meta: { method: SignInMethod; ip: string | null; userAgent: string | null },
    nowMs: number,
  ): Promise<StartedSession> {
    await this.purgeNowAndThen(nowMs);
    return this.startWithin(this.state, account, meta, nowMs);
  }

  /** A new session with a fresh random id (never one the client suggested: no fixation). */
  async startWithin(
    tx: QueryRunner,
    account: AccountRecord,
    meta: { method: SignInMethod; ip: string | null; userAgent: string | null },
    nowMs: number,
  ): Promise<StartedSession> {
    const record: SessionRecord = {
      accountId: account.id,
      method: meta.method,
      createdAtMs: nowMs,
      lastSeenAtMs: nowMs,
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    const cookie = newSecret();
    const id = sessionIdOf(cookie);
    try {
      await insertSession(tx, this.rowOf(id, record, 1));
    } catch (error) {
      // 256 random bits do not collide: a taken id means something else is wrong.
      if (isUniqueViolation(error)) throw new Error('a new session id was already taken');
      throw error;
    }
    return { cookie, id, csrfToken: csrfTokenOf(cookie), record };
  }

  /**
   * The signed-in person for a cookie, with the account's grants as they are now (a role
   * removed a moment ago is gone), or undefined: unknown, expired, revoked, or the account
   * disabled or deleted. One read by primary key (and the account's); expired sessions are
   * deleted on the way, and last-seen is written at most once a minute.
   */
  async resolve(cookie: string, nowMs: number): Promise<AccountPrincipal | undefined> {
    if (!COOKIE_PATTERN.test(cookie)) return undefined;
    const id = sessionIdOf(cookie);
    const row = await sessionById(this.state, id);
    if (!row) return undefined;
    const session = recordOf(row);
    if (sessionExpiry(session, this.timeouts).expiresAtMs <= nowMs) {
      await deleteSession(this.state, id);
      return undefined;
    }
    const account = await this.accounts.get(session.accountId);
    if (!account || account.disabled) {
      await deleteSession(this.state, id);
      return undefined;
    }
    if (nowMs - session.lastSeenAtMs >= TOUCH_INTERVAL_MS) {
      // Losing this race to a concurrent request is fine: it wrote the same minute.
      const touched = { ...session, lastSeenAtMs: nowMs };
      await touchSession(this.state, row, nowMs, sessionExpiry(touched, this.timeouts).expiresAtMs);
    }
    return accountPrincipal(account, {
      grants: account.grants,
      credential: { method: 'session', sessionId: id, csrfToken: csrfTokenOf(cookie) },
    });
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const row = await sessionById(this.state, id);
    return row && recordOf(row);
  }

  /** Ends one session; false when it was already gone. */
  async revoke(id: string, q: QueryRunner = this.state): Promise<boolean> {
    return (await deleteSession(q, id)) === 1;
  }

  /** The sessions of one account, oldest first (an index walk). */
  async forAccount(accountId: string): Promise<{ id: string; record: SessionRecord }[]> {
    return (await sessionsOfPrincipal(this.state, accountId)).map((row) => ({
      id: row.id,
      record: recordOf(row),
    }));
  }

  /** Ends every session of an account except `keepId`; returns how many ended. */
  revokeAccount(accountId: string, keepId?: string, q: QueryRunner = this.state): Promise<number> {
    return deleteSessionsOfPrincipal(q, accountId, keepId);
  }

  /** Deletes sessions past their expiry that nobody presented again (one statement). */
  purgeExpired(nowMs: number): Promise<number> {
    return deleteExpiredSessions(this.state, nowMs, this.timeouts);
  }

  private rowOf(id: string, s: SessionRecord, version: number): SessionRow {
    return {
      id,
      principalId: s.accountId,
      method: s.method,
      createdAtMs: s.createdAtMs,
      lastSeenAtMs: s.lastSeenAtMs,
      expiresAtMs: sessionExpiry(s, this.timeouts).expiresAtMs,
      ip: s.ip,
      userAgent: s.userAgent,
      version,
    };
  }
}

function recordOf(row: SessionRow): SessionRecord {
  if (row.method !== 'password' && row.method !== 'oidc') {
    throw new Error(`session ${row.id} has the unknown sign-in method "${row.method}"`);
  }
  return {
    accountId: row.principalId,
    method: row.method,
    createdAtMs: row.createdAtMs,
    lastSeenAtMs: row.lastSeenAtMs,
    ip: row.ip,
    userAgent: row.userAgent,
  };
}
