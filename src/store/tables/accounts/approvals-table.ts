import type { ApprovalChange, ApprovalRecord } from '../../../access/admin/approval.js';
import { AppError } from '../../../errors.js';
import { forUpdate, isUniqueViolation, type QueryRunner, tables } from '../../sql/query-runner.js';
import type { AccountTables } from './accounts-tables.js';
import { approvalFromRow, approvalToRow } from './approval-rows.js';

/** Four-eyes requests: the only code that builds queries over `approvals`. */

export async function approvalById(
  q: QueryRunner,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ApprovalRecord | undefined> {
  const select = tables<AccountTables>(q).selectFrom('approvals').selectAll().where('id', '=', id);
  const row = await q.first(options.lock ? forUpdate(q, select) : select);
  return row ? approvalFromRow(row) : undefined;
}

/**
 * Opens a request. One pending request per subject and change is a constraint (a partial
 * unique index): a lapsed one is marked `expired` first, so it no longer holds the place.
 */
export async function insertApproval(
  q: QueryRunner,
  approval: ApprovalRecord,
  atMs: number,
): Promise<void> {
  const db = tables<AccountTables>(q);
  await q.run(
    db
      .updateTable('approvals')
      .set({ status: 'expired', updated_at_ms: atMs })
      .where('subject_id', '=', approval.subject.id)
      .where('change', '=', approval.change)
      .where('status', '=', 'pending')
      .where('expires_at_ms', '<=', atMs),
  );
  try {
    await q.run(db.insertInto('approvals').values(approvalToRow(approval, 1, atMs)));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new AppError(
      'approval_pending',
      `a request for this change about "${approval.subject.name}" is already waiting; approve or reject it first`,
    );
  }
}

/** Writes a decided request; the version check makes a second decision of the same request a 409. */
export async function saveDecision(
  q: QueryRunner,
  before: ApprovalRecord,
  decided: ApprovalRecord,
  atMs: number,
): Promise<void> {
  const db = tables<AccountTables>(q);
  const current = await q.first(
    forUpdate(q, db.selectFrom('approvals').select('version').where('id', '=', before.id)),
  );
  if (!current) throw new AppError('not_found', `no approval request ${before.id}`);
  const version = Number(current.version);
  const { id: _id, ...columns } = approvalToRow(decided, version + 1, atMs);
  const changed = await q.run(
    db
      .updateTable('approvals')
      .set(columns)
      .where('id', '=', before.id)
      .where('version', '=', version)
      .where('status', '=', 'pending'),
  );
  if (changed !== 1) {
    throw new AppError('approval_not_pending', `request ${before.id} was decided meanwhile`);
  }
}

/** The open (pending, not lapsed) request for `change` about `subjectId`, if there is one. */
export async function pendingApproval(
  q: QueryRunner,
  subjectId: string,
  change: ApprovalChange,
  nowMs: number,
): Promise<ApprovalRecord | undefined> {
  const row = await q.first(
    tables<AccountTables>(q)
      .selectFrom('approvals')
      .selectAll()
      .where('subject_id', '=', subjectId)
      .where('change', '=', change)
      .where('status', '=', 'pending')
      .where('expires_at_ms', '>', nowMs),
  );
  return row ? approvalFromRow(row) : undefined;
}

export type ApprovalListStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'all';

/** Requests in one state, newest first (index approvals_status). */
export async function approvalsByStatus(
  q: QueryRunner,
  status: ApprovalListStatus,
  nowMs: number,
): Promise<ApprovalRecord[]> {
  let query = tables<AccountTables>(q).selectFrom('approvals').selectAll();
  if (status === 'pending') {
    query = query.where('status', '=', 'pending').where('expires_at_ms', '>', nowMs);
  } else if (status === 'expired') {
    query = query.where((eb) =>
      eb.or([
        eb('status', '=', 'expired'),
        eb.and([eb('status', '=', 'pending'), eb('expires_at_ms', '<=', nowMs)]),
      ]),
    );
  } else if (status !== 'all') {
    query = query.where('status', '=', status);
  }
  return (await q.all(query.orderBy('id', 'desc'))).map(approvalFromRow);
}
