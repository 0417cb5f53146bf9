import type { PolicyFields } from '../../retention/policy.js';
import type { Grant } from '../principal.js';

/**
 * Four-eyes requests (table `approvals`): granting or removing `admin` waits for one, and
 * so does a reading role (or a token carrying one) for a principal whose credentials an admin
 * controls (reader-grants.ts), unless four-eyes for reader grants is turned off.
 */

/** A request nobody decided within three days is void; the requester asks again. */
export const APPROVAL_TTL_MS = 72 * 3600 * 1000;

export const APPROVAL_CHANGES = [
  'admin_grant',
  'admin_revoke',
  'reader_grant',
  'reader_token',
  // Shortening a retention policy's minimum or maximum (src/retention/policy-change.ts).
  'retention_shorten',
  // Releasing a legal hold (src/retention/hold-service.ts).
  'hold_release',
] as const;
export type ApprovalChange = (typeof APPROVAL_CHANGES)[number];

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export interface PrincipalRef {
  id: string;
  name: string;
}

export interface ApprovalRecord {
  id: string;
  change: ApprovalChange;
  subject: PrincipalRef;
  requestedBy: PrincipalRef;
  requestedAtMs: number;
  expiresAtMs: number;
  /** Why the requester asks (optional, shown to the approver). */
  reason: string | null;
  /** Stored states; `expired` is derived from the time (approvalStatus). */
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: PrincipalRef | null;
  decidedAtMs: number | null;
  decisionReason: string | null;
  /** `reader_grant`: the reading grants applied on approval (each replaces its role). */
  grants?: Grant[];
  /** `reader_token`: the token that starts working on approval. */
  tokenId?: string;
  /** `retention_shorten`: the policy that applies on approval. */
  retentionPolicy?: PolicyFields;
}

export function approvalStatus(record: ApprovalRecord, nowMs: number): ApprovalStatus {
  return record.status === 'pending' && nowMs >= record.expiresAtMs ? 'expired' : record.status;
}
