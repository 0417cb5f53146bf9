/**
 * Session timeouts, apart from the session service so that `serve`'s option parsing can name
 * the defaults without loading the service and its tables.
 */

/** OWASP Session Management Cheat Sheet: idle and absolute timeouts, both enforced. */
export interface SessionTimeouts {
  idleMs: number;
  absoluteMs: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 3_600_000,
};
