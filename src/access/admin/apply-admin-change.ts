import { AppError } from '../../errors.js';
import { type AccountRecord, hasRole } from '../accounts.js';
import type { AdminContext } from './admin-context.js';
import type { ApprovalChange } from './approval.js';
import { withAdmin, withoutAdmin } from './role-change.js';
import { lastAdminRefusal } from './separation.js';

/**
 * Gives or takes `admin`, after checking it still makes sense against the current accounts.
 * Call it holding ctx.lock: the last-admin check reads every account, and only the lock
 * keeps two removals from each seeing the other's subject still an admin.
 */
export async function applyAdminChange(
  ctx: AdminContext,
  subjectId: string,
  change: ApprovalChange,
): Promise<AccountRecord> {
  const refusal = await adminChangeRefusal(ctx, subjectId, change);
  if (refusal) throw refusal;
  return ctx.accounts.update(
    subjectId,
    (current) => ({
      ...current,
      grants: change === 'admin_grant' ? withAdmin(current.grants) : withoutAdmin(current.grants),
    }),
    ctx.clock.now(),
  );
}

/** Why `change` cannot be applied now (409s), or undefined. */
export async function adminChangeRefusal(
  ctx: AdminContext,
  subjectId: string,
  change: ApprovalChange,
): Promise<AppError | undefined> {
  const accounts = await ctx.accounts.list();
  const subject = accounts.find((a) => a.id === subjectId);
  if (!subject) return new AppError('approval_outdated', `principal ${subjectId} no longer exists`);
  if (change === 'admin_grant') {
    if (subject.disabled) {
      return new AppError(
        'approval_outdated',
        `"${subject.name}" is disabled; enable the account first`,
      );
    }
    if (hasRole(subject, 'admin')) {
      return new AppError(
        'approval_outdated',
        `"${subject.name}" already holds admin; reject the request`,
      );
    }
    return undefined;
  }
  if (!hasRole(subject, 'admin')) {
    return new AppError(
      'approval_outdated',
      `"${subject.name}" no longer holds admin; reject the request`,
    );
  }
  return lastAdminRefusal(subject, accounts);
}
