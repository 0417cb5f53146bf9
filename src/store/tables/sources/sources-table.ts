import type { Selectable } from 'kysely';
import type { SourceOrigin, SourceRecord } from '../../../monitor/sources/source-registry.js';
import { int } from '../../rows.js';
import { forUpdate, type QueryRunner, tables } from '../../sql/query-runner.js';
import type { SourcesTable, SourceTables } from './sources-tables.js';

export interface StoredSource {
  record: SourceRecord;
  version: number;
}

const ORIGINS: readonly string[] = ['declared', 'ingest_key', 'seen'] satisfies SourceOrigin[];

const db = (q: QueryRunner) => tables<SourceTables>(q);

/** One source. With `lock`, inside a transaction, held until it ends (PostgreSQL: FOR UPDATE). */
export async function sourceByName(
  q: QueryRunner,
  name: string,
  options: { lock?: boolean } = {},
): Promise<StoredSource | undefined> {
  const query = db(q).selectFrom('sources').selectAll().where('name', '=', name);
  const row = await q.first(options.lock ? forUpdate(q, query) : query);
  return row && toStoredSource(row);
}

/** Every source by name (the registry is small: one row per system that logs). */
export async function allSources(q: QueryRunner): Promise<SourceRecord[]> {
  const rows = await q.all(db(q).selectFrom('sources').selectAll().orderBy('name'));
  return rows.map((row) => toStoredSource(row).record);
}

/** Adds a source unless one of that name exists; true when this call added it. */
export async function insertSourceIfAbsent(q: QueryRunner, record: SourceRecord): Promise<boolean> {
  const changed = await q.run(
    db(q)
      .insertInto('sources')
      .values(sourceColumns(record, 1))
      .onConflict((c) => c.column('name').doNothing()),
  );
  return changed === 1;
}

/** Replaces the source at `version`; false when someone else wrote first. */
export async function replaceSource(
  q: QueryRunner,
  record: SourceRecord,
  version: number,
): Promise<boolean> {
  const { name: _n, ...columns } = sourceColumns(record, version + 1);
  const changed = await q.run(
    db(q)
      .updateTable('sources')
      .set(columns)
      .where('name', '=', record.name)
      .where('version', '=', version),
  );
  return changed === 1;
}

export function sourceColumns(r: SourceRecord, version: number): SourcesTable {
  return {
    name: r.name,
    origin: r.origin,
    description: r.description,
    silence: r.maxSilenceMs === undefined ? 'default' : r.maxSilenceMs === null ? 'off' : 'custom',
    max_silence_ms: r.maxSilenceMs ?? null,
    created_at_ms: r.createdAtMs,
    created_by: r.createdBy,
    updated_at_ms: r.updatedAtMs,
    updated_by: r.updatedBy,
    version,
  };
}

export function toStoredSource(row: Selectable<SourcesTable>): StoredSource {
  if (!ORIGINS.includes(row.origin)) {
    throw new Error(`source ${row.name} has an unknown origin "${row.origin}"`);
  }
  let silence: { maxSilenceMs?: number | null };
  if (row.silence === 'default') silence = {};
  else if (row.silence === 'off') silence = { maxSilenceMs: null };
  else if (row.silence === 'custom' && row.max_silence_ms !== null) {
    silence = { maxSilenceMs: int(row.max_silence_ms) };
  } else throw new Error(`source ${row.name} has an unreadable silence setting`);
  return {
    record: {
      name: row.name,
      origin: row.origin as SourceOrigin,
      description: row.description,
      ...silence,
      createdAtMs: int(row.created_at_ms),
      createdBy: row.created_by,
      updatedAtMs: int(row.updated_at_ms),
      updatedBy: row.updated_by,
    },
    version: int(row.version),
  };
}
