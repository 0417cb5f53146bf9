import type { LegalHold } from '../../../retention/hold.js';
import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { RetentionTables } from './retention-tables.js';

const intOrNull = (v: unknown) => (v === null ? null : int(v));
const textOrNull = (v: unknown) => (v === null ? null : String(v));

function toHold(row: Row): LegalHold {
  return {
    id: String(row.id),
    matter: String(row.matter),
    reason: String(row.reason),
    source: textOrNull(row.source),
    actorId: textOrNull(row.actor_id),
    targetId: textOrNull(row.target_id),
    fromMs: intOrNull(row.from_ms),
    toMs: intOrNull(row.to_ms),
    placedAtMs: int(row.placed_at_ms),
    placedBy: String(row.placed_by),
    releasedAtMs: intOrNull(row.released_at_ms),
    releasedBy: textOrNull(row.released_by),
    version: int(row.version),
  };
}

/** Holds not released, oldest first (ids are ULIDs). */
export async function liveHolds(q: QueryRunner): Promise<LegalHold[]> {
  const db = tables<RetentionTables>(q);
  const rows = await q.all<Row>(
    db.selectFrom('legal_holds').selectAll().where('released_at_ms', 'is', null).orderBy('id'),
  );
  return rows.map(toHold);
}

/** Every hold, released ones too, oldest first. */
export async function allHolds(q: QueryRunner): Promise<LegalHold[]> {
  const db = tables<RetentionTables>(q);
  const rows = await q.all<Row>(db.selectFrom('legal_holds').selectAll().orderBy('id'));
  return rows.map(toHold);
}

export async function holdById(q: QueryRunner, id: string): Promise<LegalHold | undefined> {
  const db = tables<RetentionTables>(q);
  const row = await q.first<Row>(db.selectFrom('legal_holds').selectAll().where('id', '=', id));
  return row ? toHold(row) : undefined;
}

export async function insertHold(tx: QueryRunner, hold: LegalHold): Promise<void> {
  const db = tables<RetentionTables>(tx);
  await tx.run(
    db.insertInto('legal_holds').values({
      id: hold.id,
      matter: hold.matter,
      reason: hold.reason,
      source: hold.source,
      actor_id: hold.actorId,
      target_id: hold.targetId,
      from_ms: hold.fromMs,
      to_ms: hold.toMs,
      placed_at_ms: hold.placedAtMs,
      placed_by: hold.placedBy,
      released_at_ms: null,
      released_by: null,
      version: 1,
    }),
  );
}

/** Marks a live hold released (at its version); false when it was not live at that version. */
export async function releaseHold(
  tx: QueryRunner,
  hold: LegalHold,
  by: string,
  atMs: number,
): Promise<boolean> {
  const db = tables<RetentionTables>(tx);
  const changed = await tx.run(
    db
      .updateTable('legal_holds')
      .set({ released_at_ms: atMs, released_by: by, version: hold.version + 1 })
      .where('id', '=', hold.id)
      .where('version', '=', hold.version)
      .where('released_at_ms', 'is', null),
  );
  return changed === 1;
}
