/**
 * `npm run bench`: every scenario in one run, then BENCHMARKS.md.
 *   BENCH_ENTRIES        log size for search, proofs and verify (default 1000000)
 *   BENCH_SECONDS        seconds per HTTP scenario (default 10)
 *   BENCH_BATCH_CLIENTS  concurrent clients sending arrays of 500 (default 8)
 *   BENCH_SERVER         compiled (default: tsc output, what users run) | tsx
 *   BENCH_PROFILE=1      CPU-profile the server in each HTTP phase (slower; adds hot spots)
 *   BENCH_KEEP=1         keep the data folder (.bench-data/run-<pid>)
 *   BENCH_OUTPUT         where to write the report (default BENCHMARKS.md)
 *   BENCH_REAL_CALENDAR=1  servers keep the rule pack's working hours (Mon–Fri 07:00–19:00
 *                        UTC), so the off-hours rule raises thousands of alerts at night; by
 *                        default every server runs bench/rules/working-hours-all-week.yaml
 *   BENCH_MONITOR=0      skip the alert-rule overhead phase (bench/monitor.ts; its own knobs
 *                        BENCH_MONITOR_SECONDS, default min(BENCH_SECONDS, 10), and
 *                        BENCH_MONITOR_ROUNDS, default 3)
 *   BENCH_SYSLOG=0       skip the rsyslog forwarding phase (bench/rsyslog.ts; its knob
 *                        BENCH_SYSLOG_MESSAGES, default 100000)
 *   BENCH_ALERTS=0       skip the alert tables phase (bench/alerts.ts; its knobs
 *                        BENCH_ALERT_COUNT, default 100000, and BENCH_ALERTS_PAGES, default 300;
 *                        PostgreSQL too unless BENCH_POSTGRES=0)
 *   BENCH_WITNESS=0      skip the witnessing phase (bench/witnessing.ts; its knobs
 *                        BENCH_WITNESS_SECONDS, default min(BENCH_SECONDS, 10), and
 *                        BENCH_WITNESS_ROUNDS, default 2)
 * Each phase's results are saved in .bench-data/last-*.json; `node --import tsx
 * bench/full-report.ts` renders the report again from them (bench/full-report.ts).
 * Quick run: npm run bench -- --quick (small sizes for every knob left unset, report in
 * .bench-data/quick.md; bench/quick-mode.ts)
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { alertsBench } from './alerts.js';
import { coreCost } from './core-cost.js';
import { type ProfileSummary, summariseProfile } from './cpu-profile.js';
import { fill } from './fill.js';
import { clearParts, composeReport, type RunParts, saveParts } from './full-report.js';
import { httpFloor } from './http-floor.js';
import { batchIngest, singleIngest } from './http-ingest.js';
import { measureHttpReads } from './http-reads.js';
import { type CpuShare, machineInfo, watchCpu } from './machine.js';
import { monitorOverhead } from './monitor.js';
import { postgresOptionsFromEnv, runPostgresBenchmarks } from './postgres/run-postgres.js';
import { principalPages } from './principals.js';
import { proofsStoreLevel } from './proofs.js';
import { applyQuickMode } from './quick-mode.js';
import type { RunResults } from './results.js';
import { syslogForward } from './rsyslog.js';
import { searchStoreLevel } from './search.js';
import { ADMIN_TOKEN, buildServer, type ServerMode, startServerProcess } from './server.js';
import { commitFloor, keyIndexerAfterCommit, RawSqlite } from './sqlite-limit.js';
import { log } from './stats.js';
import { verifyLog } from './verify.js';
import { verifyRemoteLog } from './verify-remote.js';
import { witnessingOverhead } from './witnessing.js';

// Before the knobs below are read: --quick only sets defaults for them.
const QUICK = applyQuickMode();

function envInt(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

const ENTRIES = envInt('BENCH_ENTRIES', 1_000_000);
const SECONDS = envInt('BENCH_SECONDS', 10);
const BATCH_CLIENTS = envInt('BENCH_BATCH_CLIENTS', 8);
const MODE: ServerMode = process.env.BENCH_SERVER === 'tsx' ? 'tsx' : 'compiled';
const PROFILE = process.env.BENCH_PROFILE === '1';
const KEEP = process.env.BENCH_KEEP === '1';
const OUTPUT = process.env.BENCH_OUTPUT || 'BENCHMARKS.md';
/** BENCH_POSTGRES=0 skips the PostgreSQL half (it needs a server; see bench/postgres/). */
const POSTGRES = process.env.BENCH_POSTGRES !== '0';
const MONITOR = process.env.BENCH_MONITOR !== '0';
const MONITOR_SECONDS = envInt('BENCH_MONITOR_SECONDS', Math.min(SECONDS, 10));
const MONITOR_ROUNDS = envInt('BENCH_MONITOR_ROUNDS', 3);
const SYSLOG = process.env.BENCH_SYSLOG !== '0';
const SYSLOG_MESSAGES = envInt('BENCH_SYSLOG_MESSAGES', 100_000);
const ALERTS = process.env.BENCH_ALERTS !== '0';
const WITNESS = process.env.BENCH_WITNESS !== '0';
const WITNESS_SECONDS = envInt('BENCH_WITNESS_SECONDS', Math.min(SECONDS, 10));
const WITNESS_ROUNDS = envInt('BENCH_WITNESS_ROUNDS', 2);

const root = resolve('.bench-data');
const runDir = join(root, `run-${process.pid}`);
const logDir = join(runDir, 'log');
const database = join(logDir, 'evident.db');

function command(): string {
  const knobs = [
    'BENCH_ENTRIES',
    'BENCH_SECONDS',
    'BENCH_BATCH_CLIENTS',
    'BENCH_SERVER',
    'BENCH_PROFILE',
    'BENCH_POSTGRES',
    'BENCH_PG_ENTRIES',
    'BENCH_MONITOR',
    'BENCH_MONITOR_SECONDS',
    'BENCH_MONITOR_ROUNDS',
    'BENCH_SYSLOG',
    'BENCH_SYSLOG_MESSAGES',
    'BENCH_ALERTS',
    'BENCH_ALERT_COUNT',
    'BENCH_ALERTS_PAGES',
    'BENCH_WITNESS',
    'BENCH_WITNESS_SECONDS',
    'BENCH_WITNESS_ROUNDS',
  ]
    .filter((k) => process.env[k] && !QUICK.defaulted.includes(k))
    .map((k) => `${k}=${process.env[k]}`);
  return [...knobs, QUICK.quick ? 'npm run bench -- --quick' : 'npm run bench'].join(' ');
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  mkdirSync(runDir, { recursive: true });
  clearParts(root);
  const machine = machineInfo();
  log(
    `${machine.cpuModel}, ${machine.cores} cores, Node ${machine.node}, SQLite ${machine.sqlite}`,
  );
  log(`entries ${ENTRIES}, ${SECONDS} s per HTTP scenario, server ${MODE}, data ${runDir}`);
  const background: Record<string, CpuShare> = {};
  const phase = async <T>(
    name: string,
    run: () => Promise<T> | T,
    pids: Record<string, number> = {},
  ) => {
    log(`— ${name}`);
    const cpu = watchCpu({ bench: process.pid, ...pids });
    const result = await run();
    background[name] = cpu();
    return result;
  };

  const entry = MODE === 'compiled' ? buildServer(join(runDir, 'dist')) : '';
  const core = await phase('per-record CPU', () => coreCost());
  const floorCommit = await phase('commit floor', () =>
    commitFloor(join(runDir, 'floor/floor.db')),
  );
  const rawDb = new RawSqlite(join(runDir, 'raw/raw.db'), { afterCommit: keyIndexerAfterCommit() });
  const raw = await phase('raw SQLite limit', () => rawDb.fill(ENTRIES));
  const filled = await phase('fill', () => fill(logDir, ENTRIES));
  const { ingestAuthorization, ...fillResult } = filled;

  const store = SqliteStore.open(database, { readonly: true });
  const searchStore = await phase('search (store)', () =>
    searchStoreLevel(store, filled.startMs, filled.endMs),
  );
  const proofsStore = await phase('proofs (store)', () => proofsStoreLevel(store));
  await store.close();
  const verify = await phase('verify', () => verifyLog(logDir));

  const profiles: Record<string, ProfileSummary> = {};
  const withServer = async <T>(name: string, run: (url: string, pid: number) => Promise<T>) => {
    const profileDir = join(runDir, 'profiles', name.replace(/\W+/g, '-'));
    const server = await startServerProcess({
      mode: MODE,
      main: entry,
      dataDir: logDir,
      ...(PROFILE ? { cpuProfileDir: profileDir } : {}),
    });
    try {
      return await phase(name, () => run(server.url, server.pid), { server: server.pid });
    } finally {
      await server.stop();
      if (PROFILE) {
        // One file per thread: CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile, thread 0 = main.
        for (const file of readdirSync(profileDir)
          .filter((f) => f.endsWith('.cpuprofile'))
          .sort()) {
          const thread = file.split('.')[4];
          const label = thread === '0' ? 'main thread' : `worker thread ${thread}`;
          profiles[`${name}: ${label}`] = summariseProfile(join(profileDir, file), 25);
        }
      }
    }
  };
  const admin = `Bearer ${ADMIN_TOKEN}`;
  const reads = await withServer('HTTP search + proofs', (url) =>
    measureHttpReads(
      url,
      admin,
      { startMs: filled.startMs, endMs: filled.endMs, treeSize: ENTRIES },
      SECONDS,
    ),
  );
  // The same log through the API, beside `verify --data` above (its in-run limit).
  const verifyUrl = await withServer('verify --url', (url, pid) =>
    verifyRemoteLog(url, ADMIN_TOKEN, pid),
  );
  const context = (url: string, pid: number) => ({
    url,
    authorization: ingestAuthorization,
    databaseFile: database,
    serverPid: pid,
    seconds: SECONDS,
    batchClients: BATCH_CLIENTS,
  });
  const batch = await withServer('HTTP ingest, arrays', (url, pid) =>
    batchIngest(context(url, pid)),
  );
  const single = await withServer('HTTP ingest, single events', (url, pid) =>
    singleIngest(context(url, pid)),
  );
  const floor = await phase('HTTP floor', () => httpFloor(SECONDS, BATCH_CLIENTS));
  const floorCommitLater = await phase('commit floor, again', () =>
    commitFloor(join(runDir, 'floor/later.db')),
  );
  // The same group sizes Evident's group commit reached, straight into the raw table.
  const rawGroups = await phase('raw SQLite at Evident group sizes', () => ({
    batch: rawDb.atGroupSize(batch.commits.entriesPerCommit, Math.max(2, SECONDS / 2)),
    single: rawDb.atGroupSize(single.single.commits.entriesPerCommit, Math.max(2, SECONDS / 2)),
  }));
  await rawDb.close();
  // Alert rules: ingest with the rule engine off and on, on fresh logs.
  const monitor = MONITOR
    ? await phase('HTTP ingest, rule engine off vs on', () =>
        monitorOverhead({
          mode: MODE,
          main: entry,
          dir: join(runDir, 'monitor'),
          seconds: MONITOR_SECONDS,
          clients: BATCH_CLIENTS,
          rounds: MONITOR_ROUNDS,
        }),
      )
    : undefined;
  // Syslog in (issue 16): rsyslog's file output vs forwarding to serve --syslog.
  const syslog = SYSLOG
    ? await phase('rsyslog forwarding to serve --syslog', () =>
        syslogForward({
          mode: MODE,
          main: entry,
          dir: join(runDir, 'syslog'),
          messages: SYSLOG_MESSAGES,
        }),
      )
    : undefined;
  // Alert tables: list, export and metrics over 100,000 alerts, both stores.
  const alerts = ALERTS
    ? await phase('alerts: list, export, metrics', () =>
        alertsBench(join(runDir, 'alerts'), { postgres: POSTGRES }),
      )
    : undefined;

  // Witnesses: none vs asynchronous witnessing vs witnessed acks, three witness processes.
  const witnessingOptions = {
    mode: MODE,
    main: entry,
    dir: join(runDir, 'witnessing'),
    seconds: WITNESS_SECONDS,
    clients: BATCH_CLIENTS,
    rounds: WITNESS_ROUNDS,
  };
  const witnessing = WITNESS
    ? await phase('HTTP ingest, witnesses none / async / witnessed ack', () =>
        witnessingOverhead(witnessingOptions),
      )
    : undefined;

  // Principals (issue 11): one page of 10,000, on SQLite and (unless BENCH_POSTGRES=0) PostgreSQL.
  const principals = await phase('principals: one page of 10,000', () =>
    principalPages({ dir: join(runDir, 'principals'), postgres: POSTGRES }),
  );

  const results: RunResults = {
    startedAt,
    command: command(),
    entries: ENTRIES,
    secondsPerHttpScenario: SECONDS,
    batchClients: BATCH_CLIENTS,
    serverMode: MODE,
    machine,
    durationSeconds: (performance.now() - started) / 1000,
    background,
    coreCost: core,
    commitFloor: floorCommit,
    commitFloorLater: floorCommitLater,
    readFloorHttp: reads.floor,
    readFloorHttpCold: reads.coldFloor,
    sqliteLimit: raw,
    rawAtGroupSize: rawGroups,
    fill: fillResult,
    verify,
    verifyRemote: verifyUrl,
    searchStore,
    proofsStore,
    searchHttp: reads.search,
    proofsHttp: reads.proofs,
    batch,
    single,
    floor,
    ...(PROFILE ? { profiles } : {}),
  };
  const parts: RunParts = {
    results,
    monitor,
    principals,
    syslog,
    alerts,
    witnessing,
    witnessingSetup: { mode: MODE, seconds: WITNESS_SECONDS, clients: BATCH_CLIENTS },
  };
  saveParts(root, parts);
  // Written now too, so a failure in the PostgreSQL half leaves the rest of the report.
  writeFileSync(OUTPUT, composeReport(parts));
  if (POSTGRES) {
    // The same log on PostgreSQL, with its own limit measured in this run.
    log('— PostgreSQL');
    parts.postgres = await runPostgresBenchmarks(postgresOptionsFromEnv());
    saveParts(root, { postgres: parts.postgres });
  }
  const minutes = (performance.now() - started) / 60_000;
  parts.wholeRunMinutes = minutes;
  saveParts(root, { wholeRunMinutes: minutes });
  writeFileSync(OUTPUT, composeReport(parts));
  log(`${OUTPUT} written; whole run ${minutes.toFixed(1)} min`);
}

try {
  await main();
} finally {
  if (!KEEP) rmSync(runDir, { recursive: true, force: true });
}
