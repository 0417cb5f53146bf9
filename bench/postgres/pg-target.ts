/**
 * Where the PostgreSQL benchmark writes: one database URL, a fresh schema per log (the
 * Evident log and the raw limit table each get their own), dropped at the end. Also the
 * server's version and settings for the report, and the PostgreSQL processes' pids so their
 * CPU can be watched beside the Evident servers'.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Client } from 'pg';
import { quoteIdent } from '../../src/store/postgres/connection.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name no other run uses: evident_bench_<hex>. */
export function benchSchema(label: string): string {
  return `evident_bench_${randomBytes(4).toString('hex')}_${label}`;
}

/** The URL Evident is handed for a schema (`?schema=` is Evident's own parameter). */
export function withSchema(databaseUrl: string, schema: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A plain pg client on the database (no schema parameter: pg would pass it on as an option). */
export async function connect(databaseUrl: string): Promise<Client> {
  const url = new URL(databaseUrl);
  url.searchParams.delete('schema');
  const client = new Client({ connectionString: url.toString(), application_name: 'bench' });
  await client.connect();
  return client;
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = await connect(databaseUrl);
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface PostgresInfo {
  version: string;
  /** The settings that shape durable-write and read performance, as the server reports them. */
  settings: Record<string, string>;
  dataDirectoryDevice?: string;
}

const SETTINGS = [
  'shared_buffers',
  'effective_cache_size',
  'work_mem',
  'max_wal_size',
  'checkpoint_timeout',
  'wal_buffers',
  'wal_compression',
  'full_page_writes',
  'fsync',
  'synchronous_commit',
  'wal_sync_method',
  'commit_delay',
  'max_connections',
  'jit',
];

export async function postgresInfo(databaseUrl: string): Promise<PostgresInfo> {
  const client = await connect(databaseUrl);
  try {
    const version = String((await client.query('SHOW server_version')).rows[0].server_version);
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[]) ORDER BY name',
      [SETTINGS],
    );
    const settings: Record<string, string> = {};
    for (const r of rows) settings[r.name] = humanSetting(r.setting, r.unit);
    return { version, settings };
  } finally {
    await client.end();
  }
}

function humanSetting(setting: string, unit: string | null): string {
  const n = Number(setting);
  if (unit === '8kB') return mib(n * 8192);
  if (unit === 'kB') return mib(n * 1024);
  if (unit === 'MB') return mib(n * 2 ** 20);
  if (unit === 's' || unit === 'ms') return `${setting} ${unit}`;
  return setting;
}

function mib(bytes: number): string {
  return bytes >= 2 ** 30 ? `${bytes / 2 ** 30} GiB` : `${Math.round(bytes / 2 ** 20)} MiB`;
}

/** Every `postgres` process on this machine (postmaster, backends, WAL writer, checkpointer…). */
export function postgresPids(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/comm`, 'utf8').trim() === 'postgres') pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU ticks of PostgreSQL so far: every live postgres process's own time plus the time of
 * children they have reaped (the postmaster's cutime + cstime), so backends that start or
 * exit during a phase (connection pools opening and closing) are still counted.
 */
function postgresTicks(): number {
  let ticks = 0;
  for (const pid of postgresPids()) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      // utime, stime, cutime, cstime: fields 14–17 of stat, 11–14 after "pid (comm) ".
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

function allCpuTicks(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1);
  return line.slice(0, 8).reduce((sum, v) => sum + Number(v), 0);
}

/** Starts watching PostgreSQL's CPU; the function returns its use since, in percent of one core. */
export function watchPostgres(): () => number {
  const before = { pg: postgresTicks(), all: allCpuTicks() };
  return () => {
    const pg = postgresTicks() - before.pg;
    const all = allCpuTicks() - before.all || 1;
    return (pg / all) * cpus().length * 100;
  };
}

/** Size of a schema's tables + indexes, in bytes. */
export async function schemaBytes(client: Client, schema: string): Promise<number> {
  const { rows } = await client.query(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r'`,
    [schema],
  );
  return Number(rows[0].bytes);
}

/** Bytes of WAL the server has written so far (cluster-wide). */
export async function walBytes(client: Client): Promise<number> {
  const { rows } = await client.query(
    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint AS bytes",
  );
  return Number(rows[0].bytes);
}

/** Checkpoints the server has started so far (timed + requested, e.g. by max_wal_size). */
export async function checkpointCount(databaseUrl: string): Promise<number> {
  const client = await connect(databaseUrl);
  try {
    const { rows } = await client.query(
      'SELECT checkpoints_timed + checkpoints_req AS n FROM pg_stat_bgwriter',
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}
