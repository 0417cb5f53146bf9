import type { Pool, PoolClient } from 'pg';
import { type DocMove, movedDoc } from '../doc-move.js';
import type { Row } from '../rows.js';
import { queryBuilder } from '../sql/query-runner.js';
import { migrateLockSql, quoteIdent } from './connection.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

/**
 * Brings `schema` (created if missing; default: the connection's current schema) up to the
 * newest migration, in one transaction under an advisory lock, so processes that start
 * together migrate once. Refuses a schema written by a newer Evident. Returns the schema.
 */
export async function migrate(pool: Pool, requested: string | undefined): Promise<string> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await checkEncoding(client);
    const schema = requested ?? (await currentSchema(client));
    const s = quoteIdent(schema);
    await client.query(`BEGIN; ${migrateLockSql(schema)}`);
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
    await client.query(`SET LOCAL search_path TO ${s}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms BIGINT NOT NULL)',
    );
    const { rows } = await client.query<Row>('SELECT version FROM schema_migrations');
    const applied = new Set(rows.map((r) => Number(r.version)));
    const known = Math.max(...POSTGRES_MIGRATIONS.map((m) => m.version));
    const newest = Math.max(0, ...applied);
    if (newest > known) {
      throw new Error(
        `schema ${schema} was written by a newer Evident (schema ${newest}, this build knows ${known}); upgrade Evident`,
      );
    }
    for (const m of POSTGRES_MIGRATIONS) {
      if (applied.has(m.version)) continue;
      await client.query(m.sql);
      for (const move of m.moveDocs ?? []) await moveDocs(client, schema, move);
      await client.query(
        'INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES ($1, $2, $3)',
        [m.version, m.name, Date.now()],
      );
    }
    await client.query('COMMIT');
    return schema;
  } catch (error) {
    await client.query('ROLLBACK').catch((e: Error) => {
      broken = e;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A migration's data step on PostgreSQL: one kind of `state` document becomes typed rows. */
async function moveDocs(client: PoolClient, schema: string, move: DocMove): Promise<void> {
  const builder = queryBuilder('postgres', schema);
  const { rows } = await client.query<Row>('SELECT * FROM state WHERE kind = $1 ORDER BY id', [
    move.kind,
  ]);
  for (const doc of rows) {
    for (const row of move.toRows(movedDoc(doc))) {
      const insert = builder.insertInto(move.table).values(row).compile();
      await client.query(insert.sql, [...insert.parameters]);
    }
  }
  await client.query('DELETE FROM state WHERE kind = $1', [move.kind]);
}

/** Records are stored byte for byte: a database that cannot hold any UTF-8 text is refused. */
async function checkEncoding(client: PoolClient): Promise<void> {
  const { rows } = await client.query<Row>('SHOW server_encoding');
  const encoding = String(rows[0]?.server_encoding);
  if (encoding !== 'UTF8') {
    throw new Error(`the database encoding is ${encoding}; Evident needs a UTF8 database`);
  }
}

async function currentSchema(client: PoolClient): Promise<string> {
  const { rows } = await client.query<Row>('SELECT current_schema() AS schema');
  const schema = rows[0]?.schema;
  if (typeof schema !== 'string') {
    throw new Error(
      'the connection has no current schema (search_path names none that exists); pass ?schema=<name> in the URL',
    );
  }
  return schema;
}
