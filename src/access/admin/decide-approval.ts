import { AppError } from '../../errors.js';
import { HOLD_RELEASE_ACTION, holdDetails, holdTarget } from '../../retention/hold-service.js';
import { policyFromFields } from '../../retention/policy.js';
import { applyPolicy } from '../../retention/policy-change.js';
import { accountById, changeAccount } from '../../store/tables/accounts/accounts-table.js';
import { approvalById, saveDecision } from '../../store/tables/accounts/approvals-table.js';
import { holdById, releaseHold } from '../../store/tables/retention/legal-holds-table.js';
import type { AccountRecord } from '../accounts/accounts.js';
import type { ApiTokens } from '../credentials/api-tokens.js';
import { type AdminChange, inAdminChange } from './admin-change.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { approvalTarget, recordRoleEvents } from './admin-events.js';
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
 * A second admin approves: the request is marked decided, the change applied, and both are
 * events, in one transaction. So a request never shows as approved without its change.
 */
export async function approveRequest(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  reason: string | null,
): Promise<Decision> {
  const decision = await inAdminChange(ctx, actor, async (change) => {
    const found = await decidable(change, id, 'approval.approve', approverRefusal);
    if (found.change === 'admin_grant') {
      const subject = await accountById(change.tx, found.subject.id);
      const refusal =
        subject &&
        (credentialControlRefusal(subject, actor.principal.id, 'approver', change.nowMs) ??
          credentialControlRefusal(subject, found.requestedBy.id, 'requester', change.nowMs));
      if (refusal) {
        change.refuse(refusal, {
          action: 'approval.approve',
          target: approvalTarget(found),
          details: { change: found.change, subject_id: found.subject.id },
        });
      }
    }
    if (found.change === 'reader_grant' || found.change === 'reader_token') {
      return approveReaderChange(change, found, reason, ctx.tokens);
    }
    if (found.change === 'retention_shorten') return approvePolicy(change, found, reason);
    if (found.change === 'hold_release') return approveHoldRelease(change, found, reason);
    // Checked before the request is marked, so a change that cannot apply leaves it pending.
    assertPending(found, change.nowMs);
    const notApplicable = await adminChangeRefusal(change.tx, found.subject.id, found.change);
    if (notApplicable) throw notApplicable;
    const approval = await markDecided(change, found, 'approved', reason);
    const account = await applyAdminChange(change.tx, found.subject.id, found.change, change.nowMs);
    recordDecision(change, 'approval.approve', approval, reason);
    recordRoleEvents(
      change,
      account,
      approval.change === 'admin_grant'
        ? { granted: [{ role: 'admin' }] }
        : { revoked: [{ role: 'admin' }] },
      { approval_id: approval.id, requested_by: approval.requestedBy.id },
    );
    return { approval, account };
  });
  if (decision.approval.change !== 'admin_grant') ctx.forgetCached();
  return decision;
}

/** A reading role given, or a service token that reads made to work, on a second admin's word. */
async function approveReaderChange(
  change: AdminChange,
  found: ApprovalRecord,
  reason: string | null,
  tokens: ApiTokens,
): Promise<Decision> {
  const { tx, nowMs: now } = change;
  const subject = await accountById(tx, found.subject.id, { lock: true });
  if (!subject || subject.disabled) {
    throw new AppError(
      'approval_outdated',
      `"${found.subject.name}" is disabled or gone; reject the request`,
    );
  }
  if (found.change === 'reader_token') {
    // The token starts working in the same transaction as the approval: never one without the other.
    const token = found.tokenId ? await tokens.get(found.tokenId, tx) : undefined;
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
    const approval = await markDecided(change, found, 'approved', reason);
    await tokens.approve(token.id, now, tx);
    recordDecision(change, 'approval.approve', approval, reason);
    return { approval, account: subject };
  }
  const approval = await markDecided(change, found, 'approved', reason);
  const account = (await changeAccount(
    tx,
    subject.id,
    (latest) => ({ ...latest, grants: withGrants(latest.grants, approval.grants ?? []) }),
    now,
  ))!;
  recordDecision(change, 'approval.approve', approval, reason);
  recordRoleEvents(change, account, diffGrants(subject.grants, account.grants), {
    approval_id: approval.id,
    requested_by: approval.requestedBy.id,
  });
  return { approval, account };
}

/** A shorter retention policy applies, with its event, in the approval's transaction. */
async function approvePolicy(
  change: AdminChange,
  found: ApprovalRecord,
  reason: string | null,
): Promise<Decision> {
  const policy = found.retentionPolicy && policyFromFields(found.retentionPolicy);
  if (!policy || typeof policy === 'string') {
    throw new AppError('approval_outdated', `request ${found.id} names no policy; reject it`);
  }
  const approval = await markDecided(change, found, 'approved', reason);
  recordDecision(change, 'approval.approve', approval, reason);
  await applyPolicy(change, policy, found.reason, approval);
  return { approval };
}

/** A legal hold is released, with its event, in the approval's transaction. */
async function approveHoldRelease(
  change: AdminChange,
  found: ApprovalRecord,
  reason: string | null,
): Promise<Decision> {
  const hold = await holdById(change.tx, found.subject.id.replace(/^hold:/, ''));
  if (!hold || hold.releasedAtMs !== null) {
    throw new AppError(
      'approval_outdated',
      `the hold of request ${found.id} is gone or released; reject it`,
    );
  }
  const approval = await markDecided(change, found, 'approved', reason);
  if (!(await releaseHold(change.tx, hold, found.requestedBy.name, change.nowMs))) {
    throw new AppError('concurrent_change', `legal hold ${hold.id} changed meanwhile; try again`);
  }
  recordDecision(change, 'approval.approve', approval, reason);
  change.record({
    action: HOLD_RELEASE_ACTION,
    category: 'config',
    target: holdTarget(hold),
    ...(found.reason === null ? {} : { reason: found.reason }),
    details: { ...holdDetails(hold), approval_id: approval.id, requested_by: found.requestedBy.id },
  });
  return { approval };
}

/** Rejects (or, by the requester, withdraws) a pending request. The subject cannot. */
export async function rejectRequest(
  ctx: AdminContext,
  actor: AdminActor,
  id: string,
  reason: string | null,
): Promise<Decision> {
  const approval = await inAdminChange(ctx, actor, async (change) => {
    const found = await decidable(change, id, 'approval.reject', rejecterRefusal);
    const decided = await markDecided(change, found, 'rejected', reason);
    // A refused token never works: revoked with the rejection, so it does not linger as
    // "awaiting approval" (which authenticates nobody either).
    if (decided.change === 'reader_token' && decided.tokenId) {
      if (await ctx.tokens.get(decided.tokenId, change.tx)) {
        await ctx.tokens.revoke(decided.tokenId, actor.principal.id, change.nowMs, change.tx);
      }
    }
    recordDecision(change, 'approval.reject', decided, reason);
    return decided;
  });
  return { approval };
}

type DecisionAction = 'approval.approve' | 'approval.reject';

/** The request, once this actor may decide it; a refusal is recorded as a denied event. */
async function decidable(
  change: AdminChange,
  id: string,
  action: DecisionAction,
  refusalOf: (approval: ApprovalRecord, by: AdminActor['principal']) => AppError | undefined,
): Promise<ApprovalRecord> {
  const found = await approvalById(change.tx, id, { lock: true });
  if (!found) throw new AppError('not_found', `no approval request ${id}`);
  const refusal = refusalOf(found, change.actor.principal);
  if (refusal) {
    change.refuse(refusal, {
      action,
      target: approvalTarget(found),
      details: { change: found.change, subject_id: found.subject.id },
    });
  }
  return found;
}

function recordDecision(
  change: AdminChange,
  action: DecisionAction,
  approval: ApprovalRecord,
  reason: string | null,
): void {
  change.record({
    action,
    target: approvalTarget(approval),
    ...(reason === null ? {} : { reason }),
    details: {
      change: approval.change,
      subject_id: approval.subject.id,
      subject_name: approval.subject.name,
      requested_by: approval.requestedBy.id,
    },
  });
}

async function markDecided(
  change: AdminChange,
  found: ApprovalRecord,
  status: 'approved' | 'rejected',
  reason: string | null,
): Promise<ApprovalRecord> {
  assertPending(found, change.nowMs);
  const decided: ApprovalRecord = {
    ...found,
    status,
    decidedBy: { id: change.actor.principal.id, name: change.actor.principal.name },
    decidedAtMs: change.nowMs,
    decisionReason: reason,
  };
  await saveDecision(change.tx, found, decided, change.nowMs);
  return decided;
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
