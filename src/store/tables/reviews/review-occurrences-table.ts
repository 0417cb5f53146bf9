import type { Selectable } from 'kysely';
import type { Cadence } from '../../../review/cadence.js';
import type {
  Decision,
  OccurrenceStatus,
  ReviewKind,
  ReviewOccurrence,
  ReviewSpec,
} from '../../../review/review-types.js';
import { int } from '../../rows.js';
import { forUpdate, type QueryRunner, tables } from '../../sql/query-runner.js';
import { isIntArray, isObject, storedJson } from '../stored-json.js';
import type { ReviewOccurrencesTable, ReviewTables } from './reviews-tables.js';

const db = (q: QueryRunner) => tables<ReviewTables>(q);

const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === 'string');

export interface OccurrenceFilter {
  definitionId?: string;
  status?: OccurrenceStatus;
  /** Only periods starting at or after / before these instants. */
  fromMs?: number;
  toMs?: number;
  limit: number;
}

/** Adds the occurrence unless its (definition, period start) exists; true when this call did. */
export async function insertOccurrenceIfAbsent(
  q: QueryRunner,
  o: ReviewOccurrence,
): Promise<boolean> {
  const changed = await q.run(
    db(q)
      .insertInto('review_occurrences')
      .values(occurrenceColumns(o))
      .onConflict((c) => c.columns(['definition_id', 'period_start_ms']).doNothing()),
  );
  return changed === 1;
}

export async function occurrenceById(
  q: QueryRunner,
  id: string,
  options: { lock?: boolean } = {},
): Promise<ReviewOccurrence | undefined> {
  const query = db(q).selectFrom('review_occurrences').selectAll().where('id', '=', id);
  const row = await q.first(options.lock ? forUpdate(q, query) : query);
  return row && toOccurrence(row);
}

/** Newest period first. */
export async function occurrencesWhere(
  q: QueryRunner,
  f: OccurrenceFilter,
): Promise<ReviewOccurrence[]> {
  let query = db(q).selectFrom('review_occurrences').selectAll();
  if (f.definitionId !== undefined) query = query.where('definition_id', '=', f.definitionId);
  if (f.status !== undefined) query = query.where('status', '=', f.status);
  if (f.fromMs !== undefined) query = query.where('period_start_ms', '>=', f.fromMs);
  if (f.toMs !== undefined) query = query.where('period_start_ms', '<', f.toMs);
  const rows = await q.all(
    query.orderBy('period_start_ms', 'desc').orderBy('id', 'desc').limit(f.limit),
  );
  return rows.map(toOccurrence);
}

/** Not signed off, past due, and no overdue alert raised yet: what the monitor raises for. */
export async function overdueWithoutAlert(
  q: QueryRunner,
  nowMs: number,
  limit: number,
): Promise<ReviewOccurrence[]> {
  const rows = await q.all(
    db(q)
      .selectFrom('review_occurrences')
      .selectAll()
      .where('status', 'in', ['open', 'in_progress', 'awaiting_countersign'])
      .where('due_at_ms', '<', nowMs)
      .where('overdue_alert_id', 'is', null)
      .orderBy('due_at_ms')
      .limit(limit),
  );
  return rows.map(toOccurrence);
}

/** Replaces the occurrence at `o.version - 1`; false when someone else wrote first. */
export async function replaceOccurrence(q: QueryRunner, o: ReviewOccurrence): Promise<boolean> {
  const { id: _id, ...columns } = occurrenceColumns(o);
  const changed = await q.run(
    db(q)
      .updateTable('review_occurrences')
      .set(columns)
      .where('id', '=', o.id)
      .where('version', '=', o.version - 1),
  );
  return changed === 1;
}

function occurrenceColumns(o: ReviewOccurrence): ReviewOccurrencesTable {
  const p = o.pin;
  return {
    id: o.id,
    definition_id: o.definitionId,
    period_start_ms: o.periodStartMs,
    period_end_ms: o.periodEndMs,
    due_at_ms: o.dueAtMs,
    definition: JSON.stringify(o.definition),
    status: o.status,
    started_at_ms: p?.startedAtMs ?? null,
    started_by: p?.startedBy ?? null,
    tree_size: p?.treeSize ?? null,
    root_hash: p?.rootHash ?? null,
    checkpoint: p?.checkpoint ?? null,
    items: p?.items ? JSON.stringify(p.items) : null,
    items_sha256: p?.itemsSha256 ?? null,
    item_count: p?.itemCount ?? null,
    actors: p ? JSON.stringify(p.actors) : null,
    snapshot: p?.snapshot ?? null,
    snapshot_sha256: p?.snapshotSha256 ?? null,
    signed_off_at_ms: o.signOff?.atMs ?? null,
    signed_off_by: o.signOff?.by ?? null,
    sign_off_event: o.signOff?.eventId ?? null,
    decision: o.signOff?.decision ?? null,
    notes: o.signOff?.notes ?? null,
    countersigned_at_ms: o.countersign?.atMs ?? null,
    countersigned_by: o.countersign?.by ?? null,
    overdue_alert_id: o.overdueAlertId,
    created_at_ms: o.createdAtMs,
    version: o.version,
  };
}

const isSpec = (v: unknown): v is ReviewSpec & { version: number } =>
  isObject(v) && typeof v.name === 'string' && Number.isSafeInteger(v.version);

function toOccurrence(row: Selectable<ReviewOccurrencesTable>): ReviewOccurrence {
  const what = `review occurrence ${row.id}`;
  const definition = storedJson(row.definition, isSpec, `${what} definition`);
  const pinned = row.started_at_ms !== null && row.tree_size !== null;
  return {
    id: row.id,
    definitionId: row.definition_id,
    definition: {
      ...definition,
      kind: definition.kind as ReviewKind,
      cadence: definition.cadence as Cadence,
    },
    periodStartMs: int(row.period_start_ms),
    periodEndMs: int(row.period_end_ms),
    dueAtMs: int(row.due_at_ms),
    status: row.status as OccurrenceStatus,
    pin: pinned
      ? {
          startedAtMs: int(row.started_at_ms),
          startedBy: row.started_by ?? '',
          treeSize: int(row.tree_size),
          rootHash: row.root_hash ?? '',
          checkpoint: row.checkpoint ?? '',
          items: row.items === null ? null : storedJson(row.items, isIntArray, `${what} items`),
          itemsSha256: row.items_sha256,
          itemCount: int(row.item_count ?? 0),
          actors: storedJson(row.actors ?? '[]', isStringList, `${what} actors`),
          snapshot: row.snapshot,
          snapshotSha256: row.snapshot_sha256,
        }
      : null,
    signOff:
      row.signed_off_at_ms !== null
        ? {
            atMs: int(row.signed_off_at_ms),
            by: row.signed_off_by ?? '',
            eventId: row.sign_off_event ?? '',
            decision: row.decision as Decision,
            notes: row.notes ?? '',
          }
        : null,
    countersign:
      row.countersigned_at_ms !== null
        ? { atMs: int(row.countersigned_at_ms), by: row.countersigned_by ?? '' }
        : null,
    overdueAlertId: row.overdue_alert_id,
    createdAtMs: int(row.created_at_ms),
    version: int(row.version),
  };
}
