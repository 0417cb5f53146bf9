import { type ApprovalRecord, approvalStatus } from '../../access/admin/approval.js';
import { grantsJson } from './principal.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A four-eyes request as the API shows it; `status` is `expired` once its time has passed. */
export function approvalJson(approval: ApprovalRecord, nowMs: number) {
  return {
    id: approval.id,
    change: approval.change,
    status: approvalStatus(approval, nowMs),
    subject: approval.subject,
    requested_by: approval.requestedBy,
    requested_at: iso(approval.requestedAtMs),
    expires_at: iso(approval.expiresAtMs),
    reason: approval.reason,
    decided_by: approval.decidedBy,
    decided_at: iso(approval.decidedAtMs),
    decision_reason: approval.decisionReason,
    ...(approval.grants ? { roles: grantsJson(approval.grants) } : {}),
    ...(approval.tokenId ? { token_id: approval.tokenId } : {}),
    ...(approval.retentionPolicy ? { retention_policy: approval.retentionPolicy } : {}),
  };
}
