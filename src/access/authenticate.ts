import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import type { AdminToken } from './admin-token.js';
import { BOOTSTRAP_PRINCIPAL } from './bootstrap.js';
import { checkIngestKey, isIngestKeyFormat } from './ingest-keys.js';
import type { Principal } from './principal.js';
import type { VerifiedKeys } from './verified-keys.js';

/** Resolves `Authorization: Bearer <token>` to a principal; every failure is the same 401. */
export async function authenticate(
  header: string | undefined,
  admin: AdminToken,
  store: Store,
  verified?: VerifiedKeys,
): Promise<Principal> {
  const token = bearerToken(header);
  if (token !== undefined) {
    if (isIngestKeyFormat(token)) {
      let key = verified?.get(token);
      if (!key) {
        key = await checkIngestKey(store, token);
        if (key) verified?.set(token, key);
      }
      if (key) return { kind: 'ingest', id: key.id, source: key.source };
    } else if (admin.matches(token)) {
      return BOOTSTRAP_PRINCIPAL;
    }
  }
  throw new AppError(
    'unauthorized',
    header === undefined
      ? 'missing Authorization header; send `Authorization: Bearer <token>`'
      : 'invalid, revoked or malformed token',
  );
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
  return match?.[1];
}
