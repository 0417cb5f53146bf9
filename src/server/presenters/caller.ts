import type { Caller } from '../../access/authentication/caller.js';
import { grantsJson } from './principal.js';

/** `GET /whoami`: roles are what this credential may use, after a token's narrowing. */
export function callerJson(caller: Caller) {
  if (caller.kind === 'ingest') {
    const p = caller.principal;
    return {
      id: p.id,
      kind: p.kind,
      name: null,
      source: p.source,
      roles: [],
      credential: { method: 'ingest_key', key_id: p.id },
    };
  }
  const { principal, account, token } = caller;
  const c = principal.credential;
  const credential =
    c.method === 'token'
      ? {
          method: 'token',
          token_id: c.tokenId,
          label: token?.label ?? null,
          expires_at: token ? new Date(token.expiresAtMs).toISOString() : null,
        }
      : { method: c.method };
  return {
    id: principal.id,
    kind: principal.kind,
    name: principal.name,
    display_name: account?.displayName ?? null,
    email: account?.email ?? null,
    roles: grantsJson(principal.grants),
    credential,
    // Said to everyone: whether an admin alone can make a reader is part of what a grant means.
    four_eyes: { reader_grants: caller.fourEyes.readerGrants },
  };
}
