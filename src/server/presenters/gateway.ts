import type { GatewayCredentialRow } from '../../store/tables/gateway/gateway-credentials-table.js';
import type { GatewayGrantRow } from '../../store/tables/gateway/gateway-grants-table.js';

const iso = (ms: number) => new Date(ms).toISOString();

export function gatewayCredentialJson(c: GatewayCredentialRow, nowMs: number) {
  return {
    id: c.id,
    principal_id: c.principalId,
    label: c.label,
    status: c.revokedAtMs !== null ? 'revoked' : c.expiresAtMs <= nowMs ? 'expired' : 'active',
    created_at: iso(c.createdAtMs),
    expires_at: iso(c.expiresAtMs),
    revoked_at: c.revokedAtMs === null ? null : iso(c.revokedAtMs),
    revoked_by: c.revokedBy,
  };
}

export function gatewayGrantJson(g: GatewayGrantRow) {
  return {
    id: g.id,
    [g.subjectType]: g.subject,
    database: g.database,
    upstream_role: g.upstreamRole,
    created_at: iso(g.createdAtMs),
    created_by: g.createdBy,
  };
}
