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
  const { tx, actor, nowMs: now } = change;
  const open = await pendingApprovalRow(tx, subject.id, kind, now);
  if (open) {
    throw new AppError(
      'approval_pending',
      `request ${open.id} already asks for this; approve or reject it first`,
    );
  }
  if (kind === 'admin_revoke') {
    const refusal = lastAdminRefusal(subject, await activeAdminIds(tx, { lock: true }));
    if (refusal) throw refusal;
  }
  if (kind === 'admin_grant') {
    // It could never be approved (decide-approval.ts): say so now, as evidence.
    const refusal = credentialControlRefusal(subject, actor.principal.id, 'requester', now);
    if (refusal) {
      change.refuse(refusal, {
        action: 'approval.request',
        target: principalTarget(subject),
        details: { change: kind, subject_id: subject.id, subject_name: subject.name },
      });
    }
  }
  const record: ApprovalRecord = {
    id: ctx.newId(now),
    change: kind,
    subject: { id: subject.id, name: subject.name },
    requestedBy: { id: actor.principal.id, name: actor.principal.name },
    requestedAtMs: now,
    expiresAtMs: now + APPROVAL_TTL_MS,
    reason,
    status: 'pending',
    decidedBy: null,
    decidedAtMs: null,
    decisionReason: null,
    ...payload,
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
      ...(payload.grants ? { roles: grantLabels(payload.grants) } : {}),
      ...(payload.tokenId ? { token_id: payload.tokenId } : {}),
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
