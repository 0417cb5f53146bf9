import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import type { SavedSearchTables } from './saved-searches-tables.js';

export interface SavedSearchRow {
  id: string;
  principalId: string;
  name: string;
  query: string;
  dateRange: string;
  createdAtMs: number;
  updatedAtMs: number;
}

const db = (q: QueryRunner) => tables<SavedSearchTables>(q);

function toRow(row: SavedSearchTables['saved_searches']): SavedSearchRow {
  return {
    id: row.id,
    principalId: row.principal_id,
    name: row.name,
    query: row.query,
    dateRange: row.date_range,
    createdAtMs: int(row.created_at_ms),
    updatedAtMs: int(row.updated_at_ms),
  };
}

/** One principal's saved searches, by name. */
export async function savedSearchesOf(
  q: QueryRunner,
  principalId: string,
): Promise<SavedSearchRow[]> {
  const rows = await q.all(
    db(q)
      .selectFrom('saved_searches')
      .selectAll()
      .where('principal_id', '=', principalId)
      .orderBy('name'),
  );
  return rows.map(toRow);
}

/** The principal's saved search of this name, if any. */
export async function savedSearchNamed(
  q: QueryRunner,
  principalId: string,
  name: string,
): Promise<SavedSearchRow | undefined> {
  const row = await q.first(
    db(q)
      .selectFrom('saved_searches')
      .selectAll()
      .where('principal_id', '=', principalId)
      .where('name', '=', name),
  );
  return row ? toRow(row) : undefined;
}

export async function savedSearchCount(q: QueryRunner, principalId: string): Promise<number> {
  const row = await q.first(
    db(q)
      .selectFrom('saved_searches')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('principal_id', '=', principalId),
  );
  return int(row?.n ?? 0);
}

export async function insertSavedSearch(q: QueryRunner, row: SavedSearchRow): Promise<void> {
  await q.run(
    db(q).insertInto('saved_searches').values({
      id: row.id,
      principal_id: row.principalId,
      name: row.name,
      query: row.query,
      date_range: row.dateRange,
      created_at_ms: row.createdAtMs,
      updated_at_ms: row.updatedAtMs,
    }),
  );
}

/** Points an existing name at another query. */
export async function updateSavedSearch(
  q: QueryRunner,
  id: string,
  change: { query: string; dateRange: string; atMs: number },
): Promise<void> {
  await q.run(
    db(q)
      .updateTable('saved_searches')
      .set({ query: change.query, date_range: change.dateRange, updated_at_ms: change.atMs })
      .where('id', '=', id),
  );
}

/** Deletes the principal's saved search `id`; false when it has none of that id. */
export async function deleteSavedSearch(
  q: QueryRunner,
  principalId: string,
  id: string,
): Promise<boolean> {
  const changed = await q.run(
    db(q).deleteFrom('saved_searches').where('id', '=', id).where('principal_id', '=', principalId),
  );
  return changed === 1;
}
