import { AppError } from '../../errors.js';
import type { AccountRecord } from '../accounts.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { approvalTarget, recordAdmin, recordRoleEvents, refuse } from './admin-events.js';
import { adminChangeRefusal, applyAdminChange } from './apply-admin-change.js';
import { type ApprovalRecord, approvalStatus } from './approval.js';
import { withGrants } from './reader-grants.js';
import { diffGrants } from './role-change.js';
import { approverRefusal, credentialControlRefusal, rejecterRefusal } from './separation.js';

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
  const found = await getDecidable(ctx, actor, id, 'approval.approve', approverRefusal);
  if (found.change === 'admin_grant') {
    const subject = await ctx.accounts.get(found.subject.id);
    const now = ctx.clock.now();
    const refusal =
      subject &&
      (credentialControlRefusal(subject, actor.principal.id, 'approver', now) ??
        credentialControlRefusal(subject, found.requestedBy.id, 'requester', now));
    if (refusal) {
      await refuse(ctx, actor, refusal, {
        action: 'approval.approve',
        target: approvalTarget(found),
        details: { change: found.change, subject_id: found.subject.id },
      });
    }
  }
  if (found.change === 'reader_grant' || found.change === 'reader_token') {
    return approveReaderChange(ctx, actor, found, reason);
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
  await recordDecision(ctx, actor, 'approval.approve', approval, reason);
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

/** A reading role given, or a service token that reads made to work, on a second admin's word. */
async function approveReaderChange(
  ctx: AdminContext,
  actor: AdminActor,
  found: ApprovalRecord,
  reason: string | null,
): Promise<Decision> {
  const subject = await ctx.accounts.get(found.subject.id);
  if (!subject || subject.disabled) {
    throw new AppError(
      'approval_outdated',
      `"${found.subject.name}" is disabled or gone; reject the request`,
    );
  }
  const now = ctx.clock.now();
  if (found.change === 'reader_token') {
    const token = found.tokenId ? await ctx.tokens.get(found.tokenId) : undefined;
    if (!token || token.revokedAtMs !== null || token.expiresAtMs <= now) {
      throw new AppError(
        'approval_outdated',
        'the token is revoked or expired; reject the request',
      );
    }
    const held = subject.grants.map((g) => g.role);
    if (token.roles?.some((r) => !held.includes(r))) {
      throw new AppError(
        'approval_outdated',
        `"${subject.name}" no longer holds every role of the token; reject the request`,
      );
    }
    const approval = await markDecided(ctx, actor, found.id, 'approved', reason);
    await ctx.tokens.approve(token.id, now);
    ctx.forgetCached();
    await recordDecision(ctx, actor, 'approval.approve', approval, reason);
    return { approval, account: subject };
  }
  const approval = await markDecided(ctx, actor, found.id, 'approved', reason);
  let before = subject.grants;
  const account = await ctx.accounts.update(
    subject.id,
    (latest) => {
      before = latest.grants;
      return { ...latest, grants: withGrants(latest.grants, approval.grants ?? []) };
    },
    now,
  );
  ctx.forgetCached();
  await recordDecision(ctx, actor, 'approval.approve', approval, reason);
  await recordRoleEvents(ctx, actor, account, diffGrants(before, account.grants), {
    approval_id: approval.id,
    requested_by: approval.requestedBy.id,
  });
  return { approval, account };
}

/** Rejects (or, by the requester, withdraws) a pending request. The subject cannot. */
export async function rejectRequest(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  reason: string | null,
): Promise<Decision> {
  await getDecidable(ctx, actor, id, 'approval.reject', rejecterRefusal);
  const approval = await markDecided(ctx, actor, id, 'rejected', reason);
  // A refused token never works: revoked, so it does not linger as "awaiting approval".
  if (approval.change === 'reader_token' && approval.tokenId) {
    await ctx.tokens.revoke(approval.tokenId, actor.principal.id, ctx.clock.now());
  }
  await recordDecision(ctx, actor, 'approval.reject', approval, reason);
  return { approval };
}

type DecisionAction = 'approval.approve' | 'approval.reject';

/** The request, once this actor may decide it; a refusal is recorded as a denied event. */
async function getDecidable(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  action: DecisionAction,
  refusalOf: (approval: ApprovalRecord, by: AdminActor['principal']) => AppError | undefined,
): Promise<ApprovalRecord> {
  const found = await getApproval(ctx, id);
  const refusal = refusalOf(found, actor.principal);
  if (refusal) {
    await refuse(ctx, actor, refusal, {
      action,
      target: approvalTarget(found),
      details: { change: found.change, subject_id: found.subject.id },
    });
  }
  return found;
}

async function recordDecision(
  ctx: AdminContext,
  actor: AdminActor,
  action: DecisionAction,
  approval: ApprovalRecord,
  reason: string | null,
): Promise<void> {
  await recordAdmin(ctx, actor, {
    action,
    target: approvalTarget(approval),
    ...(reason === null ? {} : { reason }),
    details: decisionDetails(approval),
  });
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
      'approval_not_pending',
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
