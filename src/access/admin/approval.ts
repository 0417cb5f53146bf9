/** Four-eyes requests (state kind `approval`): granting or removing `admin` waits for one. */

/** A request nobody decided within three days is void; the requester asks again. */
export const APPROVAL_TTL_MS = 72 * 3600 * 1000;

export const APPROVAL_CHANGES = ['admin_grant', 'admin_revoke'] as const;
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
}

export function approvalStatus(record: ApprovalRecord, nowMs: number): ApprovalStatus {
  return record.status === 'pending' && nowMs >= record.expiresAtMs ? 'expired' : record.status;
}
