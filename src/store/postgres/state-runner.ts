import type { Kysely } from 'kysely';
import type { ClientBase, Pool } from 'pg';
import { type QueryRunner, queryRunner } from '../sql/query-runner.js';

/** Runs compiled state-table queries on a pool (autocommit) or on one client (its transaction). */
// biome-ignore lint/suspicious/noExplicitAny: the builder is typed per repository (tables<T>())
export function pgRunner(db: Kysely<any>, on: Pool | ClientBase): QueryRunner {
  return queryRunner('postgres', db, async (query) => {
    const result = await on.query({ text: query.sql, values: [...query.parameters] });
    return { rows: result.rows as Record<string, unknown>[], changes: result.rowCount ?? 0 };
  });
}
