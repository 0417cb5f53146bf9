import { AppError } from '../../errors.js';
import {
  accountById,
  activeAdminIds,
  changeAccount,
} from '../../store/tables/accounts/accounts-table.js';
import type { AccountRecord } from '../accounts/accounts.js';
import type { Grant } from '../principal.js';
import { inAdminChange } from './admin-change.js';
import type { AdminActor, AdminContext } from './admin-context.js';
import { grantLabels, principalTarget, recordRoleEvents } from './admin-events.js';
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
 * changes their own roles. What applies, the requests and every event commit together.
 */
export async function setRoles(
  ctx: AdminContext,
  actor: AdminActor,
  subjectId: string,
  requested: readonly Grant[],
  reason: string | null,
): Promise<RoleChange> {
  const { change: roleChange, narrowed } = await inAdminChange(ctx, actor, async (change) => {
    const { tx, nowMs: now } = change;
    const current = await accountById(tx, subjectId, { lock: true });
    if (!current) throw new AppError('not_found', `no principal ${subjectId}`);
    const self = selfRoleChangeRefusal(actor.principal, subjectId);
    if (self) {
      const diff = diffGrants(current.grants, requested);
      change.refuse(self, {
        action:
          diff.revoked.length > 0 && diff.granted.length === 0
            ? 'principal.role_revoke'
            : 'principal.role_grant',
        target: principalTarget(current),
        details: { roles: grantLabels(requested), previous_roles: grantLabels(current.grants) },
      });
    }

    const guarded = await readerGrantsNeedApproval(tx, actor, current, now);
    let waiting: Grant[] = [];
    let account = current;
    let narrowed = false;
    if (!isEmptyDiff(diffGrants(withoutAdmin(current.grants), withoutAdmin(requested)))) {
      const split = splitReaderGrants(current.grants, requested);
      waiting = guarded ? split.waiting : [];
      const applied = guarded ? split.now : requested;
      account = (await changeAccount(
        tx,
        subjectId,
        (latest) => ({ ...latest, grants: keepAdminAsIs(latest.grants, applied) }),
        now,
      ))!;
      const diff = diffGrants(current.grants, account.grants);
      narrowed = diff.revoked.length + diff.rescoped.length > 0;
      recordRoleEvents(change, account, diff);
    }

    const approvals: ApprovalRecord[] = [];
    const adminChange = adminChangeOf(account.grants, requested);
    if (
      adminChange === 'admin_grant' &&
      inBootstrapWindow(actor.principal, await activeAdminIds(tx, { lock: true }))
    ) {
      account = await applyAdminChange(tx, subjectId, adminChange, now);
      recordRoleEvents(change, account, { granted: [{ role: 'admin' }] }, { bootstrap: true });
    } else if (adminChange !== undefined) {
      approvals.push(await requestAdminChange(change, ctx, account, adminChange, reason));
    }
    if (waiting.length > 0) {
      approvals.push(
        await requestAdminChange(change, ctx, account, 'reader_grant', reason, {
          grants: waiting,
        }),
      );
    }
    return {
      change: { account, approval: approvals[0] ?? null, approvals } as RoleChange,
      narrowed,
    };
  });
  // A role taken or narrowed applies at once, also to credentials this process has cached.
  if (narrowed) ctx.forgetCached();
  return roleChange;
}
