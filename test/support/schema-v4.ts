import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { POSTGRES_MIGRATIONS } from '../../src/store/postgres/migrations.js';
import { freshPgSchema } from './stores.js';

/** One row of the old generic `state` table, as test/fixtures/data-folder-v4/state-docs.json lists it. */
export interface V4Doc {
  kind: string;
  id: string;
  value: string;
  version: number;
  updated_at_ms: number;
}

/** The folder made by schema version 4 (main at 63f37fd): see its README. */
export const V4_FIXTURE = join(import.meta.dirname, '../fixtures/data-folder-v4');

/** Every state document of that folder, so PostgreSQL migration tests start from the same ones. */
export const V4_DOCS = JSON.parse(
  readFileSync(join(V4_FIXTURE, 'state-docs.json'), 'utf8'),
) as V4Doc[];

/**
 * A fresh PostgreSQL schema at version 4, as main at 63f37fd left one, holding `docs` in its
 * `state` table: opening a PostgresStore on it runs every later migration.
 */
export async function pgSchemaAtV4(
  docs: readonly V4Doc[] = V4_DOCS,
): Promise<Awaited<ReturnType<typeof freshPgSchema>>> {
  const target = await freshPgSchema();
  const client = new Client({ connectionString: target.url });
  await client.connect();
  try {
    const s = quoteIdent(target.schema);
    await client.query(`BEGIN; CREATE SCHEMA ${s}; SET LOCAL search_path TO ${s}`);
    await client.query(
      'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)',
    );
    for (const m of POSTGRES_MIGRATIONS.filter((m) => m.version <= 4)) {
      await client.query(m.sql);
      await client.query('INSERT INTO schema_migrations VALUES ($1, $2, 0)', [m.version, m.name]);
    }
    for (const d of docs) {
      await client.query('INSERT INTO state VALUES ($1, $2, $3, $4, $5)', [
        d.kind,
        d.id,
        d.value,
        d.version,
        d.updated_at_ms,
      ]);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  return target;
}
