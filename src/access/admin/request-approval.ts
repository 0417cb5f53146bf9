import { AppError } from '../../errors.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import { activeAdminIds } from '../../store/tables/accounts/accounts-table.js';
import {
  insertApproval,
  pendingApproval as pendingApprovalRow,
} from '../../store/tables/accounts/approvals-table.js';
import type { AccountRecord } from '../accounts/accounts.js';
import type { AdminChange } from './admin-change.js';
import type { AdminContext } from './admin-context.js';
import { approvalTarget, grantLabels, principalTarget } from './admin-events.js';
import { APPROVAL_TTL_MS, type ApprovalChange, type ApprovalRecord } from './approval.js';
import { credentialControlRefusal, lastAdminRefusal } from './separation.js';

/**
 * Opens a four-eyes request, as part of `change`: to grant or remove `admin`, or a reading
 * role or token for a principal an admin controls (reader-grants.ts). Nothing else changes
 * until a different admin approves (decide-approval.ts); the request is an event now, the
 * decision another one later.
 */
export async function requestAdminChange(
  change: AdminChange,
  ctx: Pick<AdminContext, 'newId'>,
  subject: AccountRecord,
  kind: ApprovalChange,
  reason: string | null,
  payload: Pick<ApprovalRecord, 'grants' | 'tokenId'> = {},
): Promise<ApprovalRecord> {
  return openApproval(change, ctx, {
    kind,
    subject: { id: subject.id, name: subject.name },
    reason,
    pendingProblem: 'already asks for this',
    payload,
    details: {
      ...(payload.grants ? { roles: grantLabels(payload.grants) } : {}),
      ...(payload.tokenId ? { token_id: payload.tokenId } : {}),
    },
    // Checked after the pending request, before anything is written.
    preconditions: async () => {
      if (kind === 'admin_revoke') {
        const refusal = lastAdminRefusal(subject, await activeAdminIds(change.tx, { lock: true }));
        if (refusal) throw refusal;
      }
      if (kind === 'admin_grant') {
        // It could never be approved (decide-approval.ts): say so now, as evidence.
        const refusal = credentialControlRefusal(
          subject,
          change.actor.principal.id,
          'requester',
          change.nowMs,
        );
        if (refusal) {
          change.refuse(refusal, {
            action: 'approval.request',
            target: principalTarget(subject),
            details: { change: kind, subject_id: subject.id, subject_name: subject.name },
          });
        }
      }
    },
  });
}

/** What one four-eyes request is about; `openApproval` does the rest the same for every kind. */
export interface ApprovalRequest {
  kind: ApprovalChange;
  subject: ApprovalRecord['subject'];
  reason: string | null;
  /** Completes "request <id> … ; approve or reject it first" when one is already open. */
  pendingProblem: string;
  /** Kind-specific fields stored on the request (grants, token, retention policy). */
  payload?: Partial<Pick<ApprovalRecord, 'grants' | 'tokenId' | 'retentionPolicy'>>;
  /** Kind-specific fields of the `approval.request` event, after the common ones. */
  details?: Record<string, unknown>;
  /** Refusals of this kind, run once no request is pending and before anything is written. */
  preconditions?: () => Promise<void>;
}

/**
 * Opens a four-eyes request, as part of `change`: refuses while one for the same kind and
 * subject is pending, stores the request and records its `approval.request` event. Every
 * kind (admin and reader grants, retention shortening, hold release) goes through here, so
 * the request rows and their evidence have one shape.
 */
export async function openApproval(
  change: AdminChange,
  ctx: Pick<AdminContext, 'newId'>,
  request: ApprovalRequest,
): Promise<ApprovalRecord> {
  const { tx, actor, nowMs: now } = change;
  const { kind, subject, reason } = request;
  const open = await pendingApprovalRow(tx, subject.id, kind, now);
  if (open) {
    throw new AppError(
      'approval_pending',
      `request ${open.id} ${request.pendingProblem}; approve or reject it first`,
    );
  }
  await request.preconditions?.();
  const record: ApprovalRecord = {
    id: ctx.newId(now),
    change: kind,
    subject,
    requestedBy: { id: actor.principal.id, name: actor.principal.name },
    requestedAtMs: now,
    expiresAtMs: now + APPROVAL_TTL_MS,
    reason,
    status: 'pending',
    decidedBy: null,
    decidedAtMs: null,
    decisionReason: null,
    ...request.payload,
  };
  await insertApproval(tx, record, now);
  change.record({
    action: 'approval.request',
    target: approvalTarget(record),
    ...(reason === null ? {} : { reason }),
    details: {
      change: kind,
      subject_id: subject.id,
      subject_name: subject.name,
      expires_at: new Date(record.expiresAtMs).toISOString(),
      ...request.details,
    },
  });
  return record;
}

/** The open request for `change` about `subjectId`, if there is one. */
export function pendingApproval(
  q: QueryRunner,
  subjectId: string,
  change: ApprovalChange,
  nowMs: number,
): Promise<ApprovalRecord | undefined> {
  return pendingApprovalRow(q, subjectId, change, nowMs);
}
