import type { Selectable } from 'kysely';
import type { ReviewNote } from '../../../review/review-types.js';
import { int } from '../../rows.js';
import type { QueryRunner } from '../../sql/query-runner.js';
import { tables } from '../../sql/query-runner.js';
import { storedJson } from '../stored-json.js';
import type { ReviewNotesTable, ReviewTables } from './reviews-tables.js';

const db = (q: QueryRunner) => tables<ReviewTables>(q);

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

/** An occurrence's notes in the order they were made (ULID ids). */
export async function notesOf(q: QueryRunner, occurrenceId: string): Promise<ReviewNote[]> {
  const rows = await q.all(
    db(q)
      .selectFrom('review_notes')
      .selectAll()
      .where('occurrence_id', '=', occurrenceId)
      .orderBy('id'),
  );
  return rows.map(toNote);
}

export async function insertNote(q: QueryRunner, n: ReviewNote): Promise<void> {
  await q.run(
    db(q)
      .insertInto('review_notes')
      .values({
        occurrence_id: n.occurrenceId,
        id: n.id,
        kind: n.kind,
        item: n.item,
        note: n.note,
        decision: n.decision,
        roles: n.roles === null ? null : JSON.stringify(n.roles),
        alert_id: n.alertId,
        approval_id: n.approvalId,
        event_id: n.eventId,
        by_id: n.by,
        at_ms: n.atMs,
      }),
  );
}

function toNote(row: Selectable<ReviewNotesTable>): ReviewNote {
  return {
    id: row.id,
    occurrenceId: row.occurrence_id,
    kind: row.kind as ReviewNote['kind'],
    item: row.item,
    note: row.note,
    decision: row.decision,
    roles:
      row.roles === null
        ? null
        : storedJson(row.roles, isStringList, `review note ${row.id} roles`),
    alertId: row.alert_id,
    approvalId: row.approval_id,
    eventId: row.event_id,
    by: row.by_id,
    atMs: int(row.at_ms),
  };
}
