/**
 * The PostgreSQL benchmarks, in one run beside the limit measured in that run:
 *  1. fill a log of BENCH_PG_ENTRIES through the real append path (openLog + sequencer);
 *  2. search and inclusion proofs at that size, at the store and over HTTP;
 *  3. the limit: the same rows, same indexes, same server, sent by COPY FROM STDIN (and by
 *     INSERT … json_to_recordset, Evident's statement before it switched to COPY) into a copy
 *     of the filled table;
 *  4. durable ingest over HTTP, arrays of 500 and single events from 64 clients, through ONE
 *     and through THREE server processes on the same log, each run checked afterwards (every
 *     acknowledged id stored once at its seq, the tree whole and consistent);
 *  5. the limit again at the group-commit sizes Evident reached.
 * Every log and table lives in its own schema (evident_bench_<random>_…), dropped at the end.
 */
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { type ProfileSummary, summariseProfile } from '../cpu-profile.js';
import { BATCH_EVENTS, SINGLE_CLIENTS } from '../http-ingest.js';
import { coldStartNote, measureHttpReads } from '../http-reads.js';
import { type MachineInfo, machineInfo, watchCpu } from '../machine.js';
import { type ProofResult, proofsStoreLevel } from '../proofs.js';
import type { ReadFloorResult } from '../read-floor.js';
import { type SearchResult, searchStoreLevel } from '../search.js';
import { ADMIN_TOKEN, buildServer, rulesNote, type ServerProcess, spawnServer } from '../server.js';
import { log, ms } from '../stats.js';
import { fillPostgres, type PgFillResult } from './pg-fill.js';
import {
  type PgIngestContext,
  type PgIngestRun,
  pgBatchIngest,
  pgSingleIngest,
} from './pg-ingest.js';
import {
  LIMIT_TRANSACTION_ROWS,
  type PgInsertResult,
  type RawClone,
  RawPostgres,
} from './pg-limit.js';
import {
  benchSchema,
  checkpointCount,
  connect,
  DEFAULT_DATABASE_URL,
  dropSchema,
  type PostgresInfo,
  postgresInfo,
  schemaBytes,
  watchPostgres,
  withSchema,
} from './pg-target.js';
import { describeWaits } from './pg-waits.js';

export interface PostgresOptions {
  /** postgres://… of the database to use (no schema: each run makes its own). */
  databaseUrl: string;
  /** Log size for search, proofs and the ingest scenarios. */
  entries: number;
  /** Seconds per HTTP ingest scenario (search and proofs use half each, the limit probes twice). */
  seconds: number;
  /** Clients sending arrays of 500. */
  batchClients: number;
  /** Server processes in the multi-process scenarios. */
  processes: number;
  /** Holds the log key the servers share; removed at the end. */
  workDir: string;
  /** A compiled server entry (dist/src/cli/main.js); default: compile src/ into workDir. */
  serverMain?: string;
  /** CPU-profile the servers in the ingest scenarios. */
  profile: boolean;
  /** Also run verifyStore over the whole log at the end. */
  verify: boolean;
  /** Keep the schemas (and print their names) instead of dropping them. */
  keep: boolean;
}

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

/**
 * Options from the environment:
 *   BENCH_PG_URL            database (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_PG_ENTRIES        log size (default 10000000)
 *   BENCH_PG_SECONDS        seconds per HTTP ingest scenario (default BENCH_SECONDS or 10)
 *   BENCH_PG_BATCH_CLIENTS  clients sending arrays of 500 (default BENCH_BATCH_CLIENTS or 8)
 *   BENCH_PG_PROCESSES      server processes for the shared-database runs (default 3)
 *   BENCH_PG_PROFILE=1      CPU-profile the servers in the ingest scenarios
 *   BENCH_PG_VERIFY=1       verifyStore over the whole log at the end
 *   BENCH_PG_KEEP=1         keep the schemas
 */
export function postgresOptionsFromEnv(overrides: Partial<PostgresOptions> = {}): PostgresOptions {
  return {
    databaseUrl: process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL,
    entries: envInt('BENCH_PG_ENTRIES', 10_000_000),
    seconds: envInt('BENCH_PG_SECONDS', envInt('BENCH_SECONDS', 10)),
    batchClients: envInt('BENCH_PG_BATCH_CLIENTS', envInt('BENCH_BATCH_CLIENTS', 8)),
    processes: envInt('BENCH_PG_PROCESSES', 3),
    workDir: resolve('.bench-data', `postgres-${process.pid}`),
    profile: process.env.BENCH_PG_PROFILE === '1',
    verify: process.env.BENCH_PG_VERIFY === '1',
    keep: process.env.BENCH_PG_KEEP === '1',
    ...overrides,
  };
}

/** CPU during one phase: PostgreSQL's processes apart from everything else. */
export interface PhaseCpu {
  machineBusy: number;
  /** All postgres processes, percent of one core. */
  postgres: number;
  /** Processes other than the bench, the servers and PostgreSQL, in cores. */
  othersCores: number;
  steal: number;
  /** Checkpoints PostgreSQL started meanwhile (each one restarts full-page images in the WAL). */
  checkpoints: number;
  seconds: number;
}

export interface PgVerifyResult {
  ok: boolean;
  entries: number;
  seconds: number;
  entriesPerSecond: number;
}

export interface PostgresResults {
  startedAt: string;
  durationSeconds: number;
  options: Omit<PostgresOptions, 'workDir' | 'serverMain' | 'databaseUrl'> & {
    database: string;
  };
  machine: MachineInfo;
  postgres: PostgresInfo;
  fill: PgFillResult;
  /** Tables + indexes of the filled log. */
  logBytes: number;
  /** VACUUM ANALYZE of the log's tables after the fill (untimed setup). */
  vacuumSeconds: number;
  limit: {
    clone: RawClone;
    /** COPY FROM STDIN, 20,000 rows per transaction, on top of the filled-size table. */
    copy: PgInsertResult;
    /** INSERT … SELECT FROM json_to_recordset, 20,000 rows per transaction. */
    json: PgInsertResult;
    /** COPY at Evident's mean group commit sizes (one process). */
    atGroupSize: { batch: PgInsertResult; single: PgInsertResult };
  };
  searchStore: SearchResult[];
  proofsStore: ProofResult;
  readFloorHttp: ReadFloorResult;
  /** The same in the first seconds after that server started (bench/http-reads.ts). */
  readFloorHttpCold?: ReadFloorResult;
  searchHttp: SearchResult[];
  proofsHttp: ProofResult;
  ingest: {
    one: { batch: PgIngestRun; single: PgIngestRun };
    many: { batch: PgIngestRun; single: PgIngestRun };
  };
  verify?: PgVerifyResult;
  phases: Record<string, PhaseCpu>;
  profiles?: Record<string, ProfileSummary>;
}

/** The issue's PostgreSQL targets for this 2-core machine (PostgreSQL on the same machine). */
export const PG_TARGETS = {
  batchEventsPerSecond: 15_000,
  batchShareOfLimit: 0.5,
  searchP99Ms: 30,
  proofP99Ms: 5,
  /** Several processes sustain at least the single-process rate. */
  manyVersusOne: 1,
} as const;

/** The limit that ratios are taken against: the faster of the two 20k-row methods. */
export function limitOf(r: PostgresResults): PgInsertResult {
  return r.limit.copy.eventsPerSecond >= r.limit.json.eventsPerSecond ? r.limit.copy : r.limit.json;
}

export async function runPostgresBenchmarks(
  options: PostgresOptions = postgresOptionsFromEnv(),
): Promise<PostgresResults> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const o = options;
  mkdirSync(o.workDir, { recursive: true });
  const dataDir = join(o.workDir, 'keys');
  const logSchema = benchSchema('log');
  const rawSchema = benchSchema('limit');
  const logUrl = withSchema(o.databaseUrl, logSchema);
  const machine = machineInfo();
  const pgInfo = await postgresInfo(o.databaseUrl);
  log(`PostgreSQL ${pgInfo.version}; ${machine.cpuModel}, ${machine.cores} cores`);
  log(
    `entries ${o.entries}, ${o.seconds} s per ingest scenario, schemas ${logSchema}, ${rawSchema}`,
  );

  const phases: Record<string, PhaseCpu> = {};
  const phase = async <T>(
    name: string,
    run: () => Promise<T> | T,
    pids: Record<string, number> = {},
  ) => {
    log(`— PostgreSQL: ${name}`);
    const checkpoints = await checkpointCount(o.databaseUrl);
    const start = performance.now();
    const cpu = watchCpu({ bench: process.pid, ...pids });
    const pgCpu = watchPostgres();
    const result = await run();
    const share = cpu();
    const postgres = pgCpu();
    phases[name] = {
      machineBusy: share.machineBusy,
      postgres,
      othersCores: Math.max(0, share.othersCores - postgres / 100),
      steal: share.steal,
      checkpoints: (await checkpointCount(o.databaseUrl)) - checkpoints,
      seconds: (performance.now() - start) / 1000,
    };
    return result;
  };

  const profiles: Record<string, ProfileSummary> = {};
  let raw: RawPostgres | undefined;
  try {
    const main = o.serverMain ?? buildServer(join(o.workDir, 'dist'));
    const filled = await phase('fill', () => fillPostgres(dataDir, logUrl, o.entries));
    const { ingestAuthorization, ...fill } = filled;
    log(
      `fill: ${Math.round(fill.eventsPerSecond)} events/s, ${fill.seconds.toFixed(0)} s for ${fill.entries}`,
    );
    // As autovacuum would after a bulk of inserts: visibility map and planner statistics, so
    // the searches below run on settled plans and no autovacuum pass lands in a measurement.
    const vacuumSeconds = await phase('VACUUM ANALYZE of the filled log (untimed setup)', () =>
      vacuumAnalyze(o.databaseUrl, logSchema),
    );
    const logBytes = await sizeOf(o.databaseUrl, logSchema);

    const store = await PostgresStore.open(logUrl, { poolSize: 2 });
    const searchStore = await phase('search (store)', () =>
      searchStoreLevel(store, fill.startMs, fill.endMs),
    );
    const proofsStore = await phase('proofs (store)', () => proofsStoreLevel(store));
    await store.close();

    const withServers = async <T>(
      name: string,
      count: number,
      run: (urls: string[], pids: number[]) => Promise<T>,
    ): Promise<T> => {
      const profileDir = join(o.workDir, 'profiles', name.replace(/\W+/g, '-'));
      const servers: ServerProcess[] = [];
      try {
        for (let i = 0; i < count; i++) {
          servers.push(
            await spawnServer(
              [
                ...(o.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
                main,
                'serve',
                '--data',
                dataDir,
                '--db',
                logUrl,
                '--host',
                '127.0.0.1',
                '--port',
                '0',
              ],
              { EVIDENT_ADMIN_TOKEN: ADMIN_TOKEN, EVIDENT_LOG_LEVEL: 'warn' },
            ),
          );
        }
        const pids = servers.map((s) => s.pid);
        const named = Object.fromEntries(pids.map((pid, i) => [`server ${i + 1}`, pid]));
        return await phase(
          name,
          () =>
            run(
              servers.map((s) => s.url),
              pids,
            ),
          named,
        );
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
        if (o.profile) collectProfiles(profileDir, name, profiles);
      }
    };

    const admin = `Bearer ${ADMIN_TOKEN}`;
    const reads = await withServers('HTTP search + proofs', 1, ([url]) =>
      measureHttpReads(
        url!,
        admin,
        { startMs: fill.startMs, endMs: fill.endMs, treeSize: o.entries },
        o.seconds,
      ),
    );

    const limitSeconds = Math.max(4, o.seconds);
    raw = await phase('limit: copy of the filled table (untimed setup)', () =>
      RawPostgres.create(o.databaseUrl, rawSchema, logSchema, 4_000_000),
    );
    const rawDb = raw;
    const copy = await phase('limit: COPY FROM STDIN', () =>
      rawDb.probe('copy', LIMIT_TRANSACTION_ROWS, limitSeconds),
    );
    log(`limit (COPY): ${Math.round(copy.eventsPerSecond)} rows/s`);
    const json = await phase('limit: INSERT … json_to_recordset', () =>
      rawDb.probe('json', LIMIT_TRANSACTION_ROWS, limitSeconds),
    );
    log(`limit (json_to_recordset): ${Math.round(json.eventsPerSecond)} rows/s`);
    await phase('limit: VACUUM and CHECKPOINT after the probes (untimed setup)', () =>
      rawDb.settle(),
    );

    const ctx = (urls: string[], pids: number[]): PgIngestContext => ({
      urls,
      serverPids: pids,
      authorization: ingestAuthorization,
      databaseUrl: logUrl,
      schema: logSchema,
      seconds: o.seconds,
      batchClients: o.batchClients,
    });
    const oneBatch = await withServers('ingest, arrays, 1 process', 1, (urls, pids) =>
      pgBatchIngest(ctx(urls, pids)),
    );
    const oneSingle = await withServers('ingest, single events, 1 process', 1, (urls, pids) =>
      pgSingleIngest(ctx(urls, pids)),
    );
    const many = `${o.processes} processes`;
    const manyBatch = await withServers(`ingest, arrays, ${many}`, o.processes, (urls, pids) =>
      pgBatchIngest(ctx(urls, pids)),
    );
    const manySingle = await withServers(
      `ingest, single events, ${many}`,
      o.processes,
      (urls, pids) => pgSingleIngest(ctx(urls, pids)),
    );

    const atGroupSize = await phase('limit: COPY at Evident group sizes', async () => ({
      batch: await rawDb.probe('copy', oneBatch.commits.entriesPerCommit, limitSeconds / 2),
      single: await rawDb.probe('copy', oneSingle.commits.entriesPerCommit, limitSeconds / 2),
    }));
    await rawDb.close();
    raw = undefined;
    if (!o.keep) await dropSchema(o.databaseUrl, rawSchema);

    let verify: PgVerifyResult | undefined;
    if (o.verify) {
      verify = await phase('verify', async () => {
        const s = await PostgresStore.open(logUrl);
        try {
          const start = performance.now();
          const report = await verifyStore(s, { location: { dataDir, databaseUrl: logUrl } });
          const seconds = (performance.now() - start) / 1000;
          return {
            ok: report.ok,
            entries: report.entriesChecked,
            seconds,
            entriesPerSecond: report.entriesChecked / seconds,
          };
        } finally {
          await s.close();
        }
      });
    }

    const { databaseUrl, workDir: _w, serverMain: _s, ...rest } = o;
    return {
      startedAt,
      durationSeconds: (performance.now() - started) / 1000,
      options: { ...rest, database: describeDatabase(databaseUrl) },
      machine,
      postgres: pgInfo,
      fill,
      logBytes,
      vacuumSeconds,
      limit: { clone: rawDb.clone, copy, json, atGroupSize },
      searchStore,
      proofsStore,
      readFloorHttp: reads.floor,
      readFloorHttpCold: reads.coldFloor,
      searchHttp: reads.search,
      proofsHttp: reads.proofs,
      ingest: {
        one: { batch: oneBatch, single: oneSingle },
        many: { batch: manyBatch, single: manySingle },
      },
      ...(verify ? { verify } : {}),
      phases,
      ...(o.profile ? { profiles } : {}),
    };
  } finally {
    if (raw) await raw.close().catch(() => undefined);
    if (o.keep) log(`kept schemas ${logSchema} and ${rawSchema}`);
    else {
      await dropSchema(o.databaseUrl, rawSchema).catch(() => undefined);
      await dropSchema(o.databaseUrl, logSchema).catch(() => undefined);
    }
    if (!o.keep) rmSync(o.workDir, { recursive: true, force: true });
  }
}

async function vacuumAnalyze(databaseUrl: string, schema: string): Promise<number> {
  const client = await connect(databaseUrl);
  try {
    const start = performance.now();
    for (const table of ['entries', 'tree_nodes', 'checkpoints']) {
      await client.query(`VACUUM (ANALYZE) ${quoteIdent(schema)}.${table}`);
    }
    return (performance.now() - start) / 1000;
  } finally {
    await client.end();
  }
}

async function sizeOf(databaseUrl: string, schema: string): Promise<number> {
  const client = await connect(databaseUrl);
  try {
    return await schemaBytes(client, schema);
  } finally {
    await client.end();
  }
}

/** host:port/db, never a password. */
function describeDatabase(url: string): string {
  const u = new URL(url);
  return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

function collectProfiles(dir: string, phase: string, into: Record<string, ProfileSummary>): void {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return;
  }
  // CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile; thread 0 = the main thread.
  for (const file of files.sort()) {
    const [, , , pid, thread] = file.split('.');
    const label = thread === '0' ? 'main thread' : `worker thread ${thread}`;
    into[`${phase}: pid ${pid} ${label}`] = summariseProfile(join(dir, file), 25);
  }
}

// ——— markdown ———

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const pct = (n: number) => `${Math.round(n)}%`;
const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
const bytes = (n: number) => `${int(n)} B`;

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "1.23× ✅" for at-least targets; for at-most targets the ratio is measured / cap. */
function versus(value: number, target: number, kind: 'min' | 'max'): string {
  const ratio = value / target;
  const met = kind === 'min' ? ratio >= 1 : ratio <= 1;
  return `${ratio.toFixed(2)}× ${met ? '✅' : '❌'}`;
}

function cpuLine(run: PgIngestRun): string {
  const c = run.cpu;
  return `CPU: server${run.processes > 1 ? 's' : ''} ${pct(c.servers)} of a core (main thread${run.processes > 1 ? 's' : ''} ${pct(c.serverMainThreads)}), PostgreSQL ${pct(c.postgres)}, load generator ${pct(c.loadGenerator)}, machine ${pct(c.machineBusy)} busy, other processes ${c.othersCores.toFixed(2)} cores`;
}

function integrityLine(run: PgIngestRun): string {
  const i = run.integrity;
  return `${int(i.acknowledged)} acknowledged, ${int(i.storedAtAckedSeq)} stored at their acknowledged seq, ${int(i.lost)} lost, ${int(i.duplicated)} duplicated; ${i.contiguous ? 'entries = [0, size)' : 'entries NOT contiguous'}, ${i.treeMatches ? 'stored tree matches the signed root' : 'stored tree does NOT match'}, ${i.consistentWithBefore ? 'consistent with the checkpoint before' : 'NOT consistent with the checkpoint before'}, ${i.inclusionProofsChecked} inclusion proofs verified ${i.ok ? '✅' : '❌'}`;
}

/** What bounds an ingest run, said from its own numbers. */
function ingestLimits(
  run: PgIngestRun,
  limit: PgInsertResult,
  group: PgInsertResult,
  phase: PhaseCpu | undefined,
): string {
  const c = run.cpu;
  const busy = c.machineBusy >= 85;
  const biggest = Object.entries({
    'the server process(es)': c.servers,
    PostgreSQL: c.postgres,
    'the load generator': c.loadGenerator,
  }).sort((a, b) => b[1] - a[1])[0]!;
  const commitsPerSecond = run.commits.commits / run.seconds;
  const parts = [
    `${run.commits.entriesPerCommit.toFixed(run.eventsPerRequest === 1 ? 1 : 0)} events per group commit, ${int(commitsPerSecond)} commits/s (COPY in transactions of ${int(group.transactionRows)} rows: statement ${ms(group.statementMs)} ms + COMMIT ${ms(group.commitMs.mean)} ms, ${int(group.eventsPerSecond)} rows/s)`,
    `WAL ${bytes(run.walBytesPerEvent)}/event (the limit: ${bytes(limit.walBytesPerRow)}/row; Evident adds ~1 tree node per leaf and a checkpoint row per commit)${phase ? `, ${phase.checkpoints} PostgreSQL checkpoints in the ${Math.round(phase.seconds)} s phase` : ''}`,
    busy
      ? `the 2 cores are saturated (${pct(c.machineBusy)} busy), most by ${biggest[0]}`
      : `the cores are not saturated (${pct(c.machineBusy)} busy): the serialised append transaction (advisory lock → head → ids → insert → COMMIT + fsync) is the bottleneck`,
    describeWaits(run.waits),
    cpuLine(run),
  ];
  return parts.join('; ');
}

/** How often PostgreSQL checkpointed while rows were written, and what that costs. */
function checkpointNote(r: PostgresResults, limit: PgInsertResult): string {
  const writing = Object.entries(r.phases).filter(
    ([name]) =>
      name.startsWith('ingest') ||
      name.startsWith('limit: COPY') ||
      name.startsWith('limit: INSERT'),
  );
  const count = writing.reduce((sum, [, p]) => sum + p.checkpoints, 0);
  const seconds = writing.reduce((sum, [, p]) => sum + p.seconds, 0);
  const s = r.postgres.settings;
  const every =
    count > 0 ? `one checkpoint every ${Math.round(seconds / count)} s` : 'no checkpoint';
  return `What limits the limit and Evident alike on this server: with max_wal_size ${s.max_wal_size} the write phases above forced ${every} (${count} in ${Math.round(seconds)} s). After each checkpoint the first change to any page is logged as a full 8 KiB page image, and the random-key indexes (target, actor) touch a different leaf page for almost every row, so WAL per row is ${bytes(limit.walBytesPerRow)} for the limit at ${int(r.options.entries)} rows. shared_buffers ${s.shared_buffers} holds little of the ${gib(r.logBytes)} log, so backends also read and evict index pages through the OS cache (IO:DataFileRead/Write in the wait samples). Operational knobs, not code: max_wal_size of several GiB with a longer checkpoint_timeout, wal_compression = lz4, shared_buffers ≈ 25% of RAM.`;
}

function checkpointsIn(r: PostgresResults, phase: string): string {
  const p = r.phases[phase];
  return p ? `${p.checkpoints} PostgreSQL checkpoints in the ${Math.round(p.seconds)} s phase` : '';
}

export function postgresMarkdown(r: PostgresResults): string {
  const limit = limitOf(r);
  const limitName =
    limit.method === 'copy' ? 'COPY FROM STDIN' : 'INSERT … SELECT FROM json_to_recordset';
  const { one, many } = r.ingest;
  const worst = (items: SearchResult[]) => Math.max(...items.map((s) => s.latency.p99));
  const searchStoreP99 = worst(r.searchStore);
  const searchHttpP99 = worst(r.searchHttp);
  const share = one.batch.eventsPerSecond / limit.eventsPerSecond;
  const manyBatchRatio = many.batch.eventsPerSecond / one.batch.eventsPerSecond;
  const manySingleRatio = many.single.eventsPerSecond / one.single.eventsPerSecond;
  const n = int(r.options.entries);
  const P = r.options.processes;
  const m = r.machine;
  const s = r.postgres.settings;
  const phase = (name: string) => {
    const c = r.phases[name];
    return c ? `${c.othersCores.toFixed(2)} cores` : '';
  };
  const ofLimit = (eps: number) => `${(eps / limit.eventsPerSecond).toFixed(2)}`;
  const intact = many.batch.integrity.ok && many.single.integrity.ok;
  const out: string[] = [];

  out.push(`## PostgreSQL

Generated by \`node --import tsx bench/postgres/main.ts\` (bench/postgres/run-postgres.ts) on
${r.startedAt.slice(0, 10)}; whole run ${(r.durationSeconds / 60).toFixed(1)} minutes. Log size ${n} entries, ${r.options.seconds} s per
ingest scenario, ${r.options.batchClients} clients sending arrays of ${BATCH_EVENTS}, ${SINGLE_CLIENTS} clients sending single events.

**Machine.** ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, kernel ${m.kernel}; load
average at the start ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')}. PostgreSQL ${r.postgres.version} runs on the
same machine (${r.options.database}), with its settings as found: shared_buffers ${s.shared_buffers}, max_wal_size
${s.max_wal_size}, checkpoint_timeout ${s.checkpoint_timeout}, wal_buffers ${s.wal_buffers}, synchronous_commit ${s.synchronous_commit}, fsync ${s.fsync},
full_page_writes ${s.full_page_writes}, wal_sync_method ${s.wal_sync_method}, commit_delay ${s.commit_delay}. The Evident servers (compiled,
\`evident serve --db …\`), PostgreSQL and the load generator (autocannon, in the bench process) share the
2 cores; each scenario lists their CPU shares. Each run uses its own schemas, dropped at the end.
${rulesNote()}

**The limit** is ${limitName} of the same rows (the events the fill drew: canonical record,
leaf hash and indexed columns, built before the clock starts) into a schema made by the store's
own migrations (same tables, same indexes, same month partitions) that already holds the ${n}
filled rows (copied server-side first), in durable transactions of
${int(LIMIT_TRANSACTION_ROWS)} rows (synchronous_commit on). COPY writes the two tables the
adapter writes (entry_leaves and entry_payloads, with the adapter's own COPY text from
batch-copy-text.ts; no tree nodes or checkpoints), sent with plain \`pg\` (a small CopyIn
submittable: bench/postgres/copy-in.ts). INSERT … json_to_recordset goes into the \`entries\`
view, row by row through its trigger, as the adapter's statement before COPY would now.
Of the two methods measured the faster is the limit: COPY ${int(r.limit.copy.eventsPerSecond)} rows/s,
INSERT … json_to_recordset ${int(r.limit.json.eventsPerSecond)} rows/s.

**The fill** went through the real append path (openLog with the database URL →
Sequencer.append, appends of ${int(r.fill.batchEvents)}, two in flight), so entries, tree nodes and
checkpoints are what a server writes; no row was bulk-loaded around the sequencer. After it,
VACUUM (ANALYZE) of the log's tables (${r.vacuumSeconds.toFixed(0)} s, untimed), as autovacuum would do after so
many inserts, so the searches run on settled plans and no autovacuum pass lands in a measurement.

### Targets

${table(
  ['Figure', 'Measured', 'Target', 'vs target', 'vs limit', 'Other processes meanwhile'],
  [
    [
      `Durable ingest over HTTP, arrays of ${BATCH_EVENTS}, 1 process`,
      `${int(one.batch.eventsPerSecond)} events/s`,
      `≥ ${int(PG_TARGETS.batchEventsPerSecond)}`,
      versus(one.batch.eventsPerSecond, PG_TARGETS.batchEventsPerSecond, 'min'),
      ofLimit(one.batch.eventsPerSecond),
      phase('ingest, arrays, 1 process'),
    ],
    [
      'Batch rate as a share of the limit',
      pct(share * 100),
      `≥ ${pct(PG_TARGETS.batchShareOfLimit * 100)}`,
      versus(share, PG_TARGETS.batchShareOfLimit, 'min'),
      ofLimit(one.batch.eventsPerSecond),
      phase('ingest, arrays, 1 process'),
    ],
    [
      `Arrays of ${BATCH_EVENTS}, ${P} processes vs 1`,
      `${int(many.batch.eventsPerSecond)} events/s (${manyBatchRatio.toFixed(2)}× of 1 process)`,
      '≥ 1.00× of 1 process',
      versus(manyBatchRatio, PG_TARGETS.manyVersusOne, 'min'),
      ofLimit(many.batch.eventsPerSecond),
      phase(`ingest, arrays, ${P} processes`),
    ],
    [
      `Single events, ${SINGLE_CLIENTS} clients, ${P} processes vs 1`,
      `${int(many.single.eventsPerSecond)} events/s (${manySingleRatio.toFixed(2)}× of 1 process)`,
      '≥ 1.00× of 1 process',
      versus(manySingleRatio, PG_TARGETS.manyVersusOne, 'min'),
      ofLimit(many.single.eventsPerSecond),
      phase(`ingest, single events, ${P} processes`),
    ],
    [
      `${P} processes: acknowledged events lost or duplicated`,
      `${int(many.batch.integrity.lost + many.single.integrity.lost)} lost, ${int(many.batch.integrity.duplicated + many.single.integrity.duplicated)} duplicated of ${int(many.batch.integrity.acknowledged + many.single.integrity.acknowledged)}`,
      '0',
      intact ? '✅' : '❌',
      '',
      '',
    ],
    [
      `Search p99 at ${n}, store, worst filter`,
      `${ms(searchStoreP99)} ms`,
      `≤ ${PG_TARGETS.searchP99Ms} ms`,
      versus(searchStoreP99, PG_TARGETS.searchP99Ms, 'max'),
      '',
      phase('search (store)'),
    ],
    [
      `Search p99 at ${n}, HTTP, worst filter`,
      `${ms(searchHttpP99)} ms`,
      `≤ ${PG_TARGETS.searchP99Ms} ms`,
      versus(searchHttpP99, PG_TARGETS.searchP99Ms, 'max'),
      '',
      phase('HTTP search + proofs'),
    ],
    [
      `Inclusion proof p99 at ${n}, store`,
      `${ms(r.proofsStore.latency.p99)} ms`,
      `≤ ${PG_TARGETS.proofP99Ms} ms`,
      versus(r.proofsStore.latency.p99, PG_TARGETS.proofP99Ms, 'max'),
      '',
      phase('proofs (store)'),
    ],
    [
      `Inclusion proof p99 at ${n}, HTTP`,
      `${ms(r.proofsHttp.latency.p99)} ms`,
      `≤ ${PG_TARGETS.proofP99Ms} ms`,
      versus(r.proofsHttp.latency.p99, PG_TARGETS.proofP99Ms, 'max'),
      '',
      phase('HTTP search + proofs'),
    ],
  ],
)}

### Durable ingest

Every Evident figure counts only acknowledged events (201: committed with synchronous_commit on,
covered by the signed checkpoint in the response). After each run the bench checks every
acknowledged id against the \`entries\` table and the tree against the signed checkpoints.
"vs limit" is events/s ÷ the ${limitName} limit (${int(limit.eventsPerSecond)} rows/s).

${table(
  ['Scenario', 'Events/s', 'Requests/s', 'Ack p50', 'Ack p99', 'vs limit', 'What limits it'],
  [
    [
      `**Limit: ${limitName}**, ${int(limit.transactionRows)} rows per transaction, on a table of ${n}+ rows`,
      int(limit.eventsPerSecond),
      '',
      '',
      '',
      '1.00',
      `B-tree inserts into entries + 7 indexes, WAL ${bytes(limit.walBytesPerRow)}/row, statement mean ${ms(limit.statementMs)} ms + COMMIT (WAL flush) mean ${ms(limit.commitMs.mean)} ms, p99 ${ms(limit.commitMs.p99)} ms per transaction; PostgreSQL ${pct(limit.postgresCpu)} of a core; ${checkpointsIn(r, limit.method === 'copy' ? 'limit: COPY FROM STDIN' : 'limit: INSERT … json_to_recordset')}`,
    ],
    ...[r.limit.copy, r.limit.json]
      .filter((l) => l !== limit)
      .map((l) => [
        `${l.method === 'copy' ? 'COPY FROM STDIN' : 'INSERT … SELECT FROM json_to_recordset (what the adapter sent before COPY)'}, ${int(l.transactionRows)} rows per transaction`,
        int(l.eventsPerSecond),
        '',
        '',
        '',
        ofLimit(l.eventsPerSecond),
        `statement mean ${ms(l.statementMs)} ms + COMMIT mean ${ms(l.commitMs.mean)} ms; WAL ${bytes(l.walBytesPerRow)}/row; PostgreSQL ${pct(l.postgresCpu)} of a core; ${checkpointsIn(r, l.method === 'copy' ? 'limit: COPY FROM STDIN' : 'limit: INSERT … json_to_recordset')}`,
      ]),
    ...(
      [
        ['arrays', r.limit.atGroupSize.batch],
        ['single-event', r.limit.atGroupSize.single],
      ] as const
    ).map(([label, g]) => [
      `COPY at ${int(g.transactionRows)} rows per transaction (Evident's mean group commit, ${label}, 1 process)`,
      int(g.eventsPerSecond),
      '',
      '',
      '',
      ofLimit(g.eventsPerSecond),
      `COMMIT mean ${ms(g.commitMs.mean)} ms, p99 ${ms(g.commitMs.p99)} ms; statement mean ${ms(g.statementMs)} ms; WAL ${bytes(g.walBytesPerRow)}/row; PostgreSQL ${pct(g.postgresCpu)} of a core`,
    ]),
    [
      `Evident fill, in-process sequencer, appends of ${int(r.fill.batchEvents)}, 0 → ${n}`,
      int(r.fill.eventsPerSecond),
      '',
      '',
      '',
      ofLimit(r.fill.eventsPerSecond),
      `${r.fill.seconds.toFixed(0)} s for ${n} (generating the events in the same process: ${r.fill.generateSeconds.toFixed(0)} s; bench process CPU ${r.fill.cpuSeconds.toFixed(0)} s); append mean ${ms(r.fill.batchMs.mean)} ms, max ${ms(r.fill.batchMs.max)} ms; last fifth ${Number.isFinite(r.fill.tailEventsPerSecond) ? int(r.fill.tailEventsPerSecond) : 'n/a'}/s; WAL ${bytes(r.fill.walBytesPerEvent)}/event; PostgreSQL ${pct(r.phases.fill?.postgres ?? 0)} of a core; ${checkpointsIn(r, 'fill')}; log ${gib(r.logBytes)} on disk`,
    ],
    ...(
      [
        [`**Evident HTTP, arrays of ${BATCH_EVENTS}**, 1 process`, one.batch, 'arrays, 1 process'],
        [
          `**Evident HTTP, arrays of ${BATCH_EVENTS}**, ${P} processes`,
          many.batch,
          `arrays, ${P} processes`,
        ],
        [
          `**Evident HTTP, single events**, ${SINGLE_CLIENTS} clients, 1 process`,
          one.single,
          'single events, 1 process',
        ],
        [
          `**Evident HTTP, single events**, ${SINGLE_CLIENTS} clients, ${P} processes`,
          many.single,
          `single events, ${P} processes`,
        ],
      ] as const
    ).map(([label, run, phaseName]) => [
      `${label} (${run.clients} clients${run.processes > 1 ? `, ${run.perProcess.map((p) => p.connections).join('/')} per process` : ''})`,
      int(run.eventsPerSecond),
      int(run.requestsPerSecond),
      `${ms(run.latency.p50)} ms`,
      `${ms(run.latency.p99)} ms`,
      ofLimit(run.eventsPerSecond),
      `${ingestLimits(run, limit, run.eventsPerRequest === 1 ? r.limit.atGroupSize.single : r.limit.atGroupSize.batch, r.phases[`ingest, ${phaseName}`])}${run.failed > 0 ? `; ${int(run.failed)} failed requests (${JSON.stringify(run.statuses)})` : ''}`,
    ]),
  ],
)}

${checkpointNote(r, limit)}

### ${P} processes on one database: nothing lost, nothing duplicated

Every acknowledged event (from the 201 bodies) looked up by id in \`entries\`; the entries
counted against the signed tree size; the stored frontier rebuilt and compared with the signed
root; a consistency proof from the checkpoint before the run to the one after; inclusion
proofs of sampled acknowledged events verified against the final root.

${table(
  ['Run', 'Integrity'],
  [
    [`Arrays of ${BATCH_EVENTS}, 1 process`, integrityLine(one.batch)],
    [`Single events, 1 process`, integrityLine(one.single)],
    [`Arrays of ${BATCH_EVENTS}, ${P} processes`, integrityLine(many.batch)],
    [`Single events, ${P} processes`, integrityLine(many.single)],
  ],
)}

Per process (${P}-process runs): arrays ${many.batch.perProcess.map((p) => `${int(p.requestsPerSecond * BATCH_EVENTS)} events/s p99 ${ms(p.latency.p99)} ms`).join('; ')};
single events ${many.single.perProcess.map((p) => `${int(p.requestsPerSecond)} requests/s p99 ${ms(p.latency.p99)} ms`).join('; ')}.
What limits ${P} processes: one writer per log, serialised in the database by the advisory
lock each append transaction takes; a process that appends after another must also reload the
tree's right edge (O(log n) node reads) before it can extend it, so the processes take turns
rather than adding up, and their batches are smaller than one process's would be.

### Search at ${n} entries (limit 100, newest first)

Store level: PostgresStore.search (+ firstSeqReceivedAtOrAfter for time ranges),
${int(r.searchStore[0]?.latency.count ?? 0)} queries per filter, one at a time. HTTP: GET /api/v1/events from one
client; each search also appends its durable self-audit event (the log audits itself)${r.readFloorHttpCold ? '; measured after each read path ran for a second, not counted' : ''}.

${table(
  [
    'Filter',
    'Rows returned',
    'Store p50',
    'Store p99',
    'HTTP p50',
    'HTTP p99',
    'HTTP requests/s',
    'vs target (worst p99)',
  ],
  r.searchStore.map((st, i) => {
    const h = r.searchHttp[i]!;
    return [
      st.kind,
      st.rows.toFixed(0),
      `${ms(st.latency.p50)} ms`,
      `${ms(st.latency.p99)} ms`,
      `${ms(h.latency.p50)} ms`,
      `${ms(h.latency.p99)} ms`,
      int(h.requestsPerSecond ?? 0),
      versus(Math.max(st.latency.p99, h.latency.p99), PG_TARGETS.searchP99Ms, 'max'),
    ];
  }),
)}

What limits it: at the store, one backwards walk of the (column, seq) index plus up to 100
heap fetches (one round trip; time ranges add two index probes on received_at). Through HTTP,
an authenticated read without a self-audit append (GET /api/v1/log) takes p50
${ms(r.readFloorHttp.latency.p50)} ms, p99 ${ms(r.readFloorHttp.latency.p99)} ms${coldStartNote(r.readFloorHttpCold)}; the rest is the query, the reply and the durable
self-audit append (one group commit with its WAL flush).

### Inclusion proofs at ${int(r.proofsStore.treeSize)} entries

${table(
  ['Path', 'p50', 'p99', 'Requests/s', 'vs target', 'What limits it'],
  [
    [
      'Store: src/log/proofs.ts inclusionProof',
      `${ms(r.proofsStore.latency.p50)} ms`,
      `${ms(r.proofsStore.latency.p99)} ms`,
      int(1000 / r.proofsStore.latency.mean),
      versus(r.proofsStore.latency.p99, PG_TARGETS.proofP99Ms, 'max'),
      `${r.proofsStore.hashes.toFixed(1)} hashes per proof, read in one query (unnest of node ids joined to tree_nodes / entries): one round trip`,
    ],
    [
      'HTTP: GET /api/v1/log/proof/inclusion, one client',
      `${ms(r.proofsHttp.latency.p50)} ms`,
      `${ms(r.proofsHttp.latency.p99)} ms`,
      int(r.proofsHttp.requestsPerSecond ?? 0),
      versus(r.proofsHttp.latency.p99, PG_TARGETS.proofP99Ms, 'max'),
      `the durable self-audit append per proof (an authenticated read without one: p99 ${ms(r.readFloorHttp.latency.p99)} ms); the proof itself is the store figure`,
    ],
  ],
)}
`);

  if (r.verify) {
    out.push(
      `### Verify\n\nverifyStore over the PostgreSQL log (worker threads reading pages): ${int(r.verify.entriesPerSecond)} entries/s, ${int(r.verify.entries)} entries in ${r.verify.seconds.toFixed(0)} s, ${r.verify.ok ? 'ok ✅' : 'FAILED ❌'}.\n`,
    );
  }

  out.push(`### CPU by phase

PostgreSQL's share is all its processes (backends, WAL writer, checkpointer), in percent of one
core; "other processes" excludes the bench, the servers and PostgreSQL.

${table(
  [
    'Phase',
    'Seconds',
    'PostgreSQL checkpoints',
    'PostgreSQL',
    'Other processes (cores)',
    'Machine busy',
    'Steal',
  ],
  Object.entries(r.phases).map(([name, c]) => [
    name,
    c.seconds.toFixed(0),
    String(c.checkpoints),
    pct(c.postgres),
    c.othersCores.toFixed(2),
    pct(c.machineBusy),
    pct(c.steal),
  ]),
)}
`);

  if (r.profiles) {
    out.push('### Server CPU profiles (BENCH_PG_PROFILE=1)\n');
    for (const [name, p] of Object.entries(r.profiles)) {
      if (!name.includes('main thread')) continue;
      out.push(`#### ${name}\n\nSampled ${int(p.sampledMs)} ms, idle ${pct(p.idlePercent)}.\n`);
      out.push(
        table(
          ['Self %', 'Function'],
          p.self.slice(0, 12).map((h) => [h.selfPercent.toFixed(1), `\`${h.name}\``]),
        ),
      );
      out.push('');
    }
  }
  return `${out.join('\n').trimEnd()}\n`;
}
