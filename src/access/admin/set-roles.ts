import { AppError } from '../../errors.js';
import type { AccountRecord } from '../accounts.js';
import type { Grant } from '../principal.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { grantLabels, principalTarget, recordRoleEvents, refuse } from './admin-events.js';
import { applyAdminChange } from './apply-admin-change.js';
import type { ApprovalRecord } from './approval.js';
import { readerGrantsNeedApproval, splitReaderGrants } from './reader-grants.js';
import { requestAdminChange } from './request-approval.js';
import {
  adminChangeOf,
  diffGrants,
  isEmptyDiff,
  keepAdminAsIs,
  withoutAdmin,
} from './role-change.js';
import { inBootstrapWindow, selfRoleChangeRefusal } from './separation.js';

export interface RoleChange {
  /** The account after the part that applies at once. */
  account: AccountRecord;
  /** The four-eyes request this change opened (the admin one when there are two); or null. */
  approval: ApprovalRecord | null;
  /** Every request it opened: one for `admin`, one for reading roles that must wait. */
  approvals: ApprovalRecord[];
}

/**
 * Replaces a principal's roles. Removing a reading role, or leaving one as it is, applies at
 * once; giving or re-scoping one applies at once too unless the principal's credentials are
 * an admin's to control (reader-grants.ts), when it waits for a second admin. Giving or
 * taking `admin` always opens a request (or, in the bootstrap window, applies). Nobody
 * changes their own roles.
 */
export async function setRoles(
  ctx: AdminContext,
  actor: AdminActor,
  subjectId: string,
  requested: readonly Grant[],
  reason: string | null,
): Promise<RoleChange> {
  const current = await ctx.accounts.get(subjectId);
  if (!current) throw new AppError('not_found', `no principal ${subjectId}`);
  const self = selfRoleChangeRefusal(actor.principal, subjectId);
  if (self) {
    const diff = diffGrants(current.grants, requested);
    await refuse(ctx, actor, self, {
      action:
        diff.revoked.length > 0 && diff.granted.length === 0
          ? 'principal.role_revoke'
          : 'principal.role_grant',
      target: principalTarget(current),
      details: { roles: grantLabels(requested), previous_roles: grantLabels(current.grants) },
    });
  }

  const guarded = await readerGrantsNeedApproval(ctx, actor, current);
  let waiting: Grant[] = [];
  let account = current;
  if (!isEmptyDiff(diffGrants(withoutAdmin(current.grants), withoutAdmin(requested)))) {
    let before: Grant[] = current.grants;
    account = await ctx.accounts.update(
      subjectId,
      (latest) => {
        before = latest.grants;
        const split = splitReaderGrants(latest.grants, requested);
        waiting = guarded ? split.waiting : [];
        const applied = guarded ? split.now : requested;
        return { ...latest, grants: keepAdminAsIs(latest.grants, applied) };
      },
      ctx.clock.now(),
    );
    const applied = diffGrants(before, account.grants);
    if (applied.revoked.length + applied.rescoped.length > 0) ctx.forgetCached();
    await recordRoleEvents(ctx, actor, account, applied);
  }

  const approvals: ApprovalRecord[] = [];
  const change = adminChangeOf(account.grants, requested);
  if (change === 'admin_grant' && inBootstrapWindow(actor.principal, await ctx.accounts.list())) {
    account = await ctx.lock.run(() => applyAdminChange(ctx, subjectId, change));
    await recordRoleEvents(
      ctx,
      actor,
      account,
      { granted: [{ role: 'admin' }] },
      { bootstrap: true },
    );
  } else if (change !== undefined) {
    approvals.push(await requestAdminChange(ctx, actor, account, change, reason));
  }
  if (waiting.length > 0) {
    approvals.push(
      await requestAdminChange(ctx, actor, account, 'reader_grant', reason, { grants: waiting }),
    );
  }
  return { account, approval: approvals[0] ?? null, approvals };
}
