import { int, type Row } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { MonitorTables } from './monitor-tables.js';

/** The engine's persisted state; JSON columns are checked by the engine, which owns their shape. */
export interface EnginePositionRow {
  position: number;
  layersJson: string;
  evaluatorJson: string;
  savedAtMs: number;
  version: number;
}

const ENGINE_ID = 'engine';

export async function enginePosition(q: QueryRunner): Promise<EnginePositionRow | undefined> {
  const db = tables<MonitorTables>(q);
  const row = await q.first<Row>(
    db.selectFrom('engine_position').selectAll().where('id', '=', ENGINE_ID),
  );
  return row
    ? {
        position: int(row.position),
        layersJson: String(row.layers_json),
        evaluatorJson: String(row.evaluator_json),
        savedAtMs: int(row.saved_at_ms),
        version: int(row.version),
      }
    : undefined;
}

/** Creates the row (version 1); false when another process created it first. */
export async function createEnginePosition(
  q: QueryRunner,
  state: Omit<EnginePositionRow, 'version'>,
): Promise<boolean> {
  const db = tables<MonitorTables>(q);
  const changed = await q.run(
    db
      .insertInto('engine_position')
      .values({ id: ENGINE_ID, ...columns(state), version: 1 })
      .onConflict((oc) => oc.column('id').doNothing()),
  );
  return changed === 1;
}

/** Compare-and-set from `version` to version + 1; false when someone else wrote first. */
export async function saveEnginePosition(
  q: QueryRunner,
  state: Omit<EnginePositionRow, 'version'>,
  version: number,
): Promise<boolean> {
  const db = tables<MonitorTables>(q);
  const changed = await q.run(
    db
      .updateTable('engine_position')
      .set({ ...columns(state), version: version + 1 })
      .where('id', '=', ENGINE_ID)
      .where('version', '=', version),
  );
  return changed === 1;
}

function columns(state: Omit<EnginePositionRow, 'version'>) {
  return {
    position: state.position,
    layers_json: state.layersJson,
    evaluator_json: state.evaluatorJson,
    saved_at_ms: state.savedAtMs,
  };
}

export interface EngineLeaseRow {
  holder: string;
  expiresAtMs: number;
  version: number;
}

const LEASE_ID = 'lease';

/** `id` names the job: the engine's lease, or another single-process job's (retention's purge). */
export async function engineLease(
  q: QueryRunner,
  id: string = LEASE_ID,
): Promise<EngineLeaseRow | undefined> {
  const db = tables<MonitorTables>(q);
  const row = await q.first<Row>(db.selectFrom('engine_lease').selectAll().where('id', '=', id));
  return row
    ? { holder: String(row.holder), expiresAtMs: int(row.expires_at_ms), version: int(row.version) }
    : undefined;
}

/** Writes the lease if it is at `version` (0: absent); false when someone else wrote first. */
export async function putEngineLease(
  q: QueryRunner,
  lease: { holder: string; expiresAtMs: number },
  version: number,
  id: string = LEASE_ID,
): Promise<boolean> {
  const db = tables<MonitorTables>(q);
  const changed =
    version === 0
      ? await q.run(
          db
            .insertInto('engine_lease')
            .values({
              id,
              holder: lease.holder,
              expires_at_ms: lease.expiresAtMs,
              version: 1,
            })
            .onConflict((oc) => oc.column('id').doNothing()),
        )
      : await q.run(
          db
            .updateTable('engine_lease')
            .set({ holder: lease.holder, expires_at_ms: lease.expiresAtMs, version: version + 1 })
            .where('id', '=', id)
            .where('version', '=', version),
        );
  return changed === 1;
}
