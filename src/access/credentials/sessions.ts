import { createHash } from 'node:crypto';
import { StateCollection } from '../../store/state-collection.js';
import type { Store } from '../../store/store.js';
import type { AccountDirectory, AccountRecord } from '../accounts.js';
import { accountPrincipal, type SessionResolver } from '../authentication/authenticate.js';
import type { AccountPrincipal } from '../principal.js';
import { newSecret } from '../secrets.js';

export type SignInMethod = 'password' | 'oidc';

/**
 * A person's signed-in session (state kind `session`). Its id is the SHA-256 of the cookie
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

/** OWASP Session Management Cheat Sheet: idle and absolute timeouts, both enforced here. */
export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
};

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

/** The sessions of the log, and the resolver the Authenticator asks about a cookie. */
export class Sessions implements SessionResolver {
  readonly docs: StateCollection<SessionRecord>;
  private nextPurgeMs = 0;

  constructor(
    store: Store,
    private readonly accounts: AccountDirectory,
    readonly timeouts: SessionTimeouts = DEFAULT_SESSION_TIMEOUTS,
  ) {
    this.docs = new StateCollection(store, 'session');
  }

  /** A new session with a fresh random id (never one the client suggested: no fixation). */
  async start(
    account: AccountRecord,
    meta: { method: SignInMethod; ip: string | null; userAgent: string | null },
    nowMs: number,
  ): Promise<StartedSession> {
    if (nowMs >= this.nextPurgeMs) {
      this.nextPurgeMs = nowMs + PURGE_INTERVAL_MS;
      await this.purgeExpired(nowMs);
    }
    const record: SessionRecord = {
      accountId: account.id,
      method: meta.method,
      createdAtMs: nowMs,
      lastSeenAtMs: nowMs,
      ip: meta.ip,
      userAgent: meta.userAgent,
    };
    for (;;) {
      const cookie = newSecret();
      const id = sessionIdOf(cookie);
      // 256 random bits do not collide; the loop only keeps `create`'s contract honest.
      if (await this.docs.create(id, record, nowMs)) {
        return { cookie, id, csrfToken: csrfTokenOf(cookie), record };
      }
    }
  }

  /**
   * The signed-in person for a cookie, with the account's grants as they are now (a role
   * removed a moment ago is gone), or undefined: unknown, expired, revoked, or the account
   * disabled or deleted. Expired sessions are deleted on the way.
   */
  async resolve(cookie: string, nowMs: number): Promise<AccountPrincipal | undefined> {
    if (!COOKIE_PATTERN.test(cookie)) return undefined;
    const id = sessionIdOf(cookie);
    const doc = await this.docs.get(id);
    if (!doc) return undefined;
    const session = doc.value;
    if (sessionExpiry(session, this.timeouts).expiresAtMs <= nowMs) {
      await this.docs.delete(id, doc.version);
      return undefined;
    }
    const account = await this.accounts.get(session.accountId);
    if (!account || account.disabled) {
      await this.docs.delete(id, doc.version);
      return undefined;
    }
    if (nowMs - session.lastSeenAtMs >= TOUCH_INTERVAL_MS) {
      // Losing this race to a concurrent request is fine: it wrote the same minute.
      await this.docs.replace(id, { ...session, lastSeenAtMs: nowMs }, doc.version, nowMs);
    }
    return accountPrincipal(account, {
      grants: account.grants,
      credential: { method: 'session', sessionId: id, csrfToken: csrfTokenOf(cookie) },
    });
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    return (await this.docs.get(id))?.value;
  }

  /** Ends one session; false when it was already gone. */
  async revoke(id: string): Promise<boolean> {
    for (;;) {
      const doc = await this.docs.get(id);
      if (!doc) return false;
      if (await this.docs.delete(id, doc.version)) return true;
    }
  }

  /** The sessions of one account (a scan: sessions are few and short-lived). */
  async forAccount(accountId: string): Promise<{ id: string; record: SessionRecord }[]> {
    return (await this.docs.all())
      .filter((d) => d.value.accountId === accountId)
      .map((d) => ({ id: d.id, record: d.value }));
  }

  /** Ends every session of an account except `keepId`; returns how many ended. */
  async revokeAccount(accountId: string, keepId?: string): Promise<number> {
    let ended = 0;
    for (const { id } of await this.forAccount(accountId)) {
      if (id !== keepId && (await this.revoke(id))) ended++;
    }
    return ended;
  }

  /** Deletes sessions past their expiry that nobody presented again. */
  async purgeExpired(nowMs: number): Promise<number> {
    let purged = 0;
    for (const doc of await this.docs.all()) {
      if (sessionExpiry(doc.value, this.timeouts).expiresAtMs <= nowMs) {
        if (await this.docs.delete(doc.id, doc.version)) purged++;
      }
    }
    return purged;
  }
}
