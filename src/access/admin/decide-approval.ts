import { AppError } from '../../errors.js';
import type { AccountRecord } from '../accounts.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { approvalTarget, recordAdmin, recordRoleEvents, refuse } from './admin-events.js';
import { adminChangeRefusal, applyAdminChange } from './apply-admin-change.js';
import { type ApprovalRecord, approvalStatus } from './approval.js';
import { approverRefusal, rejecterRefusal } from './separation.js';

export interface Decision {
  approval: ApprovalRecord;
  /** The subject after an approval applied; undefined for a rejection. */
  account?: AccountRecord;
}

/**
 * A second admin approves: the request is marked decided and the change applied under the
 * admin lock, both by compare-and-set. The approval and the role change are both events.
 */
export async function approveRequest(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  reason: string | null,
): Promise<Decision> {
  const found = await getApproval(ctx, id);
  const refusal = approverRefusal(found, actor.principal);
  if (refusal) {
    await refuse(ctx, actor, refusal, {
      action: 'approval.approve',
      target: approvalTarget(found),
      details: { change: found.change, subject_id: found.subject.id },
    });
  }
  const { approval, account } = await ctx.lock.run(async () => {
    // Checked before the request is marked, so a change that cannot apply leaves it pending.
    assertPending(await getApproval(ctx, id), ctx.clock.now());
    const notApplicable = await adminChangeRefusal(ctx, found.subject.id, found.change);
    if (notApplicable) throw notApplicable;
    const decided = await markDecided(ctx, actor, id, 'approved', reason);
    return {
      approval: decided,
      account: await applyAdminChange(ctx, found.subject.id, found.change),
    };
  });
  if (approval.change === 'admin_revoke') ctx.forgetCached();
  await recordAdmin(ctx, actor, {
    action: 'approval.approve',
    target: approvalTarget(approval),
    ...(reason === null ? {} : { reason }),
    details: decisionDetails(approval),
  });
  await recordRoleEvents(
    ctx,
    actor,
    account,
    approval.change === 'admin_grant'
      ? { granted: [{ role: 'admin' }] }
      : { revoked: [{ role: 'admin' }] },
    { approval_id: approval.id, requested_by: approval.requestedBy.id },
  );
  return { approval, account };
}

/** Rejects (or, by the requester, withdraws) a pending request. The subject cannot. */
export async function rejectRequest(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  reason: string | null,
): Promise<Decision> {
  const found = await getApproval(ctx, id);
  const refusal = rejecterRefusal(found, actor.principal);
  if (refusal) {
    await refuse(ctx, actor, refusal, {
      action: 'approval.reject',
      target: approvalTarget(found),
      details: { change: found.change, subject_id: found.subject.id },
    });
  }
  const approval = await markDecided(ctx, actor, id, 'rejected', reason);
  await recordAdmin(ctx, actor, {
    action: 'approval.reject',
    target: approvalTarget(approval),
    ...(reason === null ? {} : { reason }),
    details: decisionDetails(approval),
  });
  return { approval };
}

async function getApproval(ctx: AdminContext, id: string): Promise<ApprovalRecord> {
  const doc = await ctx.approvals.get(id);
  if (!doc) throw new AppError('not_found', `no approval request ${id}`);
  return doc.value;
}

async function markDecided(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  status: 'approved' | 'rejected',
  reason: string | null,
): Promise<ApprovalRecord> {
  const now = ctx.clock.now();
  const updated = await ctx.approvals.update(
    id,
    (current) => {
      assertPending(current, now);
      return {
        ...current,
        status,
        decidedBy: { id: actor.principal.id, name: actor.principal.name },
        decidedAtMs: now,
        decisionReason: reason,
      };
    },
    now,
  );
  if (!updated) throw new AppError('not_found', `no approval request ${id}`);
  return updated.value;
}

function assertPending(approval: ApprovalRecord, nowMs: number): void {
  const state = approvalStatus(approval, nowMs);
  if (state !== 'pending') {
    throw new AppError(
      'conflict',
      `request ${approval.id} is ${state}; ask again if the change is still needed`,
    );
  }
}

function decisionDetails(approval: ApprovalRecord) {
  return {
    change: approval.change,
    subject_id: approval.subject.id,
    subject_name: approval.subject.name,
    requested_by: approval.requestedBy.id,
  };
}
