import { AppError } from '../../errors.js';
import type { AccountRecord } from '../accounts.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { approvalTarget, recordAdmin } from './admin-events.js';
import {
  APPROVAL_TTL_MS,
  type ApprovalChange,
  type ApprovalRecord,
  approvalStatus,
} from './approval.js';
import { lastAdminRefusal } from './separation.js';

/**
 * Opens a four-eyes request to grant or remove `admin` (docs/security.md, "Separation of duties").
 * Nothing changes until a different admin approves (decide-approval.ts); the request is an
 * event now, the decision another one later.
 */
export async function requestAdminChange(
  ctx: AdminContext,
  actor: AdminActor,
  subject: AccountRecord,
  change: ApprovalChange,
  reason: string | null,
): Promise<ApprovalRecord> {
  const now = ctx.clock.now();
  const open = (await ctx.approvals.all()).find(
    (a) =>
      a.value.subject.id === subject.id &&
      a.value.change === change &&
      approvalStatus(a.value, now) === 'pending',
  );
  if (open) {
    throw new AppError(
      'conflict',
      `request ${open.id} already asks for this; approve or reject it first`,
    );
  }
  if (change === 'admin_revoke') {
    const refusal = lastAdminRefusal(subject, await ctx.accounts.list());
    if (refusal) throw refusal;
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
    },
  });
  return record;
}
