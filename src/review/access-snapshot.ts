import type { AccountRecord } from '../access/accounts/accounts.js';
import type { ApiTokenRecord } from '../access/credentials/api-tokens.js';
import { toBase64 } from '../core/bytes.js';
import { canonicalize } from '../core/canonical-json.js';
import { sha256 } from '../core/hash.js';

/** What an access review covers: every principal, its roles and scopes, its tokens. */
export interface AccessSnapshot {
  principals: {
    id: string;
    kind: string;
    name: string;
    disabled: boolean;
    grants: { role: string; sources: string[] | null }[];
  }[];
  tokens: {
    id: string;
    account_id: string;
    roles: string[] | null;
    expires_at: string;
    revoked_at: string | null;
    last_used_at: string | null;
  }[];
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The snapshot in a fixed order (ids ascending), so the same state hashes the same: the
 * principals holding `role` (every principal when absent), all their grants, their tokens.
 */
export function accessSnapshot(
  accounts: readonly AccountRecord[],
  tokens: readonly ApiTokenRecord[],
  role: string | undefined,
): AccessSnapshot {
  const covered = accounts.filter(
    (a) => role === undefined || a.grants.some((g) => g.role === role),
  );
  const ids = new Set(covered.map((a) => a.id));
  return {
    principals: covered
      .map((a) => ({
        id: a.id,
        kind: a.kind,
        name: a.name,
        disabled: a.disabled,
        grants: a.grants.map((g) => ({ role: g.role, sources: g.sources ?? null })),
      }))
      .sort(byId),
    tokens: tokens
      .filter((t) => ids.has(t.accountId))
      .map((t) => ({
        id: t.id,
        account_id: t.accountId,
        roles: t.roles,
        expires_at: new Date(t.expiresAtMs).toISOString(),
        revoked_at: iso(t.revokedAtMs),
        last_used_at: iso(t.lastUsedAtMs),
      }))
      .sort(byId),
  };
}

/** The snapshot's RFC 8785 text (what is stored) and the base64 SHA-256 of it. */
export function sealSnapshot(snapshot: AccessSnapshot): { text: string; sha256: string } {
  const text = canonicalize(snapshot);
  return { text, sha256: toBase64(sha256(text)) };
}

/** The principals whose grants an access snapshot holds (separation of duties). */
export function snapshotSubjects(snapshot: AccessSnapshot): Set<string> {
  return new Set(snapshot.principals.map((p) => p.id));
}
