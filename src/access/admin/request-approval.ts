import { AppError } from '../../errors.js';
import type { AccountRecord } from '../accounts.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import {
  approvalTarget,
  grantLabels,
  principalTarget,
  recordAdmin,
  refuse,
} from './admin-events.js';
import {
  APPROVAL_TTL_MS,
  type ApprovalChange,
  type ApprovalRecord,
  approvalStatus,
} from './approval.js';
import { credentialControlRefusal, lastAdminRefusal } from './separation.js';

/**
 * Opens a four-eyes request: to grant or remove `admin`, or a reading role or token for a
 * principal an admin controls (reader-grants.ts).
 * Nothing changes until a different admin approves (decide-approval.ts); the request is an
 * event now, the decision another one later.
 */
export async function requestAdminChange(
  ctx: AdminContext,
  actor: AdminActor,
  subject: AccountRecord,
  change: ApprovalChange,
  reason: string | null,
  payload: Pick<ApprovalRecord, 'grants' | 'tokenId'> = {},
): Promise<ApprovalRecord> {
  const now = ctx.clock.now();
  const open = await pendingApproval(ctx, subject.id, change);
  if (open) {
    throw new AppError(
      'approval_pending',
      `request ${open.id} already asks for this; approve or reject it first`,
    );
  }
  if (change === 'admin_revoke') {
    const refusal = lastAdminRefusal(subject, await ctx.accounts.list());
    if (refusal) throw refusal;
  }
  if (change === 'admin_grant') {
    // It could never be approved (decide-approval.ts): say so now, as evidence.
    const refusal = credentialControlRefusal(subject, actor.principal.id, 'requester', now);
    if (refusal) {
      await refuse(ctx, actor, refusal, {
        action: 'approval.request',
        target: principalTarget(subject),
        details: { change, subject_id: subject.id, subject_name: subject.name },
      });
    }
  }
  const record: ApprovalRecord = {
    id: ctx.newId(now),
    change,
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
  await ctx.approvals.create(record.id, record, now);
  await recordAdmin(ctx, actor, {
    action: 'approval.request',
    target: approvalTarget(record),
    ...(reason === null ? {} : { reason }),
    details: {
      change,
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
export async function pendingApproval(
  ctx: AdminContext,
  subjectId: string,
  change: ApprovalChange,
): Promise<ApprovalRecord | undefined> {
  const now = ctx.clock.now();
  return (await ctx.approvals.all())
    .map((d) => d.value)
    .find(
      (a) =>
        a.subject.id === subjectId && a.change === change && approvalStatus(a, now) === 'pending',
    );
}
