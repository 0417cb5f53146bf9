import {
  APPROVAL_CHANGES,
  type ApprovalChange,
  type ApprovalRecord,
} from '../../../access/admin/approval.js';
import type { Grant } from '../../../access/principal.js';
import { type PolicyFields, policyFromFields } from '../../../retention/policy.js';
import { int } from '../../rows.js';
import { storedGrants } from './account-rows.js';
import type { ApprovalsTable } from './accounts-tables.js';

/** Rows ↔ ApprovalRecord; the payload column is checked, never cast. */

const STORED_STATUSES: readonly string[] = ['pending', 'approved', 'rejected', 'expired'];

export function approvalFromRow(row: ApprovalsTable): ApprovalRecord {
  if (!(APPROVAL_CHANGES as readonly string[]).includes(row.change)) {
    throw corrupt(row.id, `change ${row.change}`);
  }
  if (!STORED_STATUSES.includes(row.status)) throw corrupt(row.id, `status ${row.status}`);
  const payload = approvalPayload(row.id, parsePayload(row.id, row.payload));
  return {
    id: row.id,
    change: row.change as ApprovalChange,
    subject: { id: row.subject_id, name: row.subject_name },
    requestedBy: { id: row.requested_by_id, name: row.requested_by_name },
    requestedAtMs: int(row.requested_at_ms),
    expiresAtMs: int(row.expires_at_ms),
    reason: row.reason,
    status: row.status as ApprovalRecord['status'],
    decidedBy:
      row.decided_by_id === null || row.decided_by_name === null
        ? null
        : { id: row.decided_by_id, name: row.decided_by_name },
    decidedAtMs: row.decided_at_ms === null ? null : int(row.decided_at_ms),
    decisionReason: row.decision_reason,
    ...payload,
  };
}

export function approvalToRow(
  approval: ApprovalRecord,
  version: number,
  updatedAtMs: number,
): ApprovalsTable {
  return {
    id: approval.id,
    change: approval.change,
    subject_id: approval.subject.id,
    subject_name: approval.subject.name,
    requested_by_id: approval.requestedBy.id,
    requested_by_name: approval.requestedBy.name,
    requested_at_ms: approval.requestedAtMs,
    expires_at_ms: approval.expiresAtMs,
    reason: approval.reason,
    status: approval.status,
    decided_by_id: approval.decidedBy?.id ?? null,
    decided_by_name: approval.decidedBy?.name ?? null,
    decided_at_ms: approval.decidedAtMs,
    decision_reason: approval.decisionReason,
    payload: JSON.stringify({
      ...(approval.grants ? { grants: approval.grants } : {}),
      ...(approval.tokenId ? { tokenId: approval.tokenId } : {}),
      ...(approval.retentionPolicy ? { retentionPolicy: approval.retentionPolicy } : {}),
    }),
    version,
    updated_at_ms: updatedAtMs,
  };
}

/** `{ grants?, tokenId? }` from stored JSON, checked with the request parsers' own rules. */
export function approvalPayload(
  id: string,
  value: unknown,
): { grants?: Grant[]; tokenId?: string; retentionPolicy?: PolicyFields } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw corrupt(id, 'payload');
  }
  const { grants, tokenId, retentionPolicy } = value as Record<string, unknown>;
  const out: { grants?: Grant[]; tokenId?: string; retentionPolicy?: PolicyFields } = {};
  if (grants !== undefined) {
    out.grants = storedGrants(`approval ${id}`, grants);
  }
  if (tokenId !== undefined) {
    if (typeof tokenId !== 'string') throw corrupt(id, 'payload.tokenId');
    out.tokenId = tokenId;
  }
  if (retentionPolicy !== undefined) {
    const policy = storedPolicyFields(retentionPolicy);
    if (!policy) throw corrupt(id, 'payload.retentionPolicy');
    out.retentionPolicy = policy;
  }
  return out;
}

function storedPolicyFields(value: unknown): PolicyFields | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { source, min, max, archive } = value as Record<string, unknown>;
  const period = (v: unknown) => v === null || typeof v === 'string';
  if (typeof source !== 'string' || !period(min) || !period(max) || typeof archive !== 'boolean')
    return undefined;
  const fields = { source, min: min as string | null, max: max as string | null, archive };
  return typeof policyFromFields(fields) === 'string' ? undefined : fields;
}

function parsePayload(id: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(id, 'payload');
  }
}

function corrupt(id: string, what: string): Error {
  return new Error(`approval ${id} has an unreadable ${what} in the database`);
}
