import { createHash } from 'node:crypto';

/**
 * Where a log lives in PostgreSQL: a connection URL plus a schema. One schema holds one log,
 * so several logs (or test runs) can share a database without seeing each other.
 */
export interface PostgresTarget {
  /** The URL as handed to `pg`, without our own `schema` parameter. */
  connectionString: string;
  /** From `?schema=`; undefined means the connection's current_schema(). */
  schema: string | undefined;
}

/** Splits `postgres://…/db?schema=name` into what `pg` understands and the schema. */
export function parseTarget(url: string): PostgresTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL (e.g. a bare socket path): pg parses it; there is no schema in it.
    return { connectionString: url, schema: undefined };
  }
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { connectionString: url, schema };
  parsed.searchParams.delete('schema');
  return { connectionString: parsed.toString(), schema };
}

/** A double-quoted SQL identifier: any schema name is safe to interpolate this way. */
export function quoteIdent(name: string): string {
  if (name.length === 0 || name.includes('\0')) {
    throw new Error(`invalid PostgreSQL identifier ${JSON.stringify(name)}`);
  }
  return `"${name.replaceAll('"', '""')}"`;
}

// Advisory lock keys are (class, object) int4 pairs: the class says what is locked, the
// object which log. Both are constants every process computes alike.
const APPEND_LOCK_CLASS = 0x45564441; // 'EVDA'
const MIGRATE_LOCK_CLASS = 0x4556444d; // 'EVDM'

/** The lock a schema's appenders take, in any process: one writer per log, so two processes never fork the tree. */
export function appendLockSql(schema: string): string {
  return `SELECT pg_advisory_xact_lock(${APPEND_LOCK_CLASS}, ${schemaLockId(schema)})`;
}

/** The lock migrations of a schema take, so processes starting together migrate once. */
export function migrateLockSql(schema: string): string {
  return `SELECT pg_advisory_xact_lock(${MIGRATE_LOCK_CLASS}, ${schemaLockId(schema)})`;
}

/** A stable int4 per schema name; a collision only serialises two logs, never merges them. */
function schemaLockId(schema: string): number {
  return createHash('sha256').update(schema, 'utf8').digest().readInt32BE(0);
}
