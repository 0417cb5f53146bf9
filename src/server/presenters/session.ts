import {
  type SessionRecord,
  type SessionTimeouts,
  sessionExpiry,
} from '../../access/credentials/sessions.js';
import type { AccountPrincipal } from '../../access/principal.js';
import { grantsJson } from './principal.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Who is signed in: the allow-listed fields of a principal (no credential material). */
export function signedInPrincipalJson(p: AccountPrincipal) {
  return { id: p.id, name: p.name, kind: p.kind, roles: grantsJson(p.grants) };
}

export function sessionJson(id: string, s: SessionRecord, timeouts: SessionTimeouts) {
  const expiry = sessionExpiry(s, timeouts);
  return {
    id,
    method: s.method,
    created_at: iso(s.createdAtMs),
    last_seen_at: iso(s.lastSeenAtMs),
    /** Ends here if unused for the idle timeout. */
    idle_expires_at: iso(expiry.idleExpiresAtMs),
    /** Ends here at the latest, however busy. */
    expires_at: iso(expiry.absoluteExpiresAtMs),
    ip: s.ip,
    user_agent: s.userAgent,
  };
}
