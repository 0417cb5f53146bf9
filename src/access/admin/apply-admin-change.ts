import { AppError } from '../../errors.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import {
  accountById,
  activeAdminIds,
  changeAccount,
} from '../../store/tables/accounts/accounts-table.js';
import { type AccountRecord, hasRole } from '../accounts/accounts.js';
import type { ApprovalChange } from './approval.js';
import { withAdmin, withoutAdmin } from './role-change.js';
import { lastAdminRefusal } from './separation.js';

/**
 * Gives or takes `admin` inside a change's transaction, after checking it still makes sense
 * against the accounts as they are now. The subject's and the admins' rows are locked while
 * the transaction runs (PostgreSQL; SQLite's write transactions are exclusive), so two
 * removals cannot each see the other's subject still an admin.
 */
export async function applyAdminChange(
  tx: QueryRunner,
  subjectId: string,
  change: ApprovalChange,
  nowMs: number,
): Promise<AccountRecord> {
  const refusal = await adminChangeRefusal(tx, subjectId, change);
  if (refusal) throw refusal;
  const updated = await changeAccount(
    tx,
    subjectId,
    (current) => ({
      ...current,
      grants: change === 'admin_grant' ? withAdmin(current.grants) : withoutAdmin(current.grants),
    }),
    nowMs,
  );
  if (!updated) throw new AppError('approval_outdated', `principal ${subjectId} no longer exists`);
  return updated;
}

/** Why `change` cannot be applied now (409s), or undefined. */
export async function adminChangeRefusal(
  tx: QueryRunner,
  subjectId: string,
  change: ApprovalChange,
): Promise<AppError | undefined> {
  const subject = await accountById(tx, subjectId, { lock: true });
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
  return lastAdminRefusal(subject, await activeAdminIds(tx, { lock: true }));
}
