import { sql } from 'kysely';
import { stateTable } from '../tables/state-tables.js';
import type { QueryRunner } from './query-runner.js';

/** Bound parameters per INSERT: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMETERS = 10_000;

/**
 * Every row of a state table in primary-key order, a page at a time (keyset paging, so a page
 * costs the same at the end of a large table as at its start). For `evident migrate`.
 */
export async function* scanTableRows(
  q: QueryRunner,
  table: string,
  pageSize: number,
): AsyncIterable<Record<string, unknown>[]> {
  const { key } = stateTable(table);
  let last: Record<string, unknown> | undefined;
  for (;;) {
    let query = q.db.selectFrom(table).selectAll();
    if (last) {
      const after = last;
      query = query.where(
        sql<boolean>`(${sql.join(key.map((k) => sql.ref(k)))}) > (${sql.join(key.map((k) => after[k]))})`,
      );
    }
    for (const k of key) query = query.orderBy(k);
    const rows = await q.all<Record<string, unknown>>(query.limit(pageSize));
    if (rows.length === 0) return;
    yield rows;
    last = rows[rows.length - 1];
  }
}

/**
 * Inserts rows exactly as another adapter returned them, in chunks. pg returns BIGINT as
 * text; both SQLite's INTEGER affinity and PostgreSQL's parameter casts store it as a number.
 */
export async function insertTableRows(
  tx: QueryRunner,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  stateTable(table);
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!).length || 1;
  const perInsert = Math.max(1, Math.floor(MAX_PARAMETERS / columns));
  for (let i = 0; i < rows.length; i += perInsert) {
    await tx.run(tx.db.insertInto(table).values(rows.slice(i, i + perInsert)));
  }
}
