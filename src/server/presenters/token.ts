import type { ApiTokenRecord } from '../../access/credentials/api-tokens.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function tokenStatus(
  token: ApiTokenRecord,
  nowMs: number,
): 'active' | 'expired' | 'revoked' | 'awaiting_approval' {
  if (token.revokedAtMs !== null) return 'revoked';
  if (token.awaitingApproval) return 'awaiting_approval';
  return token.expiresAtMs <= nowMs ? 'expired' : 'active';
}

/** An API token as the API shows it: never its hash; the secret only once, at creation. */
export function tokenJson(token: ApiTokenRecord, nowMs: number) {
  return {
    id: token.id,
    principal_id: token.accountId,
    label: token.label,
    roles: token.roles,
    status: tokenStatus(token, nowMs),
    created_at: iso(token.createdAtMs),
    created_by: token.createdBy,
    expires_at: iso(token.expiresAtMs),
    revoked_at: iso(token.revokedAtMs),
    revoked_by: token.revokedBy,
  };
}
