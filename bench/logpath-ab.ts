/**
 * Before/after of the SQLite log path in one run: two compiled builds, each serving a copy of
 * the same pre-filled log (BENCH_AB_ENTRIES, default 200,000, filled once through the
 * sequencer), loaded alternately so both see the same machine. Per run:
 *   - arrays of 500 from 8 clients: events/s, events per group commit, server CPU per event;
 *   - the same load plus one client asking for inclusion proofs: each proof waits for its
 *     durable self-audit event, so its latency is how long a read waits behind ingest;
 *   - single events from 64 clients: requests/s, ack p99, events per group commit;
 *   - one client alone: inclusion proofs (audited) and GET /api/v1/log (not audited).
 * Usage: node --import tsx bench/logpath-ab.ts <before main.js> <after main.js> [rounds]
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fill } from './fill.js';
import { BodyPool, IdSource, prng } from './fixtures.js';
import { ARRAY_EVENTS, arraysLoad, closedLoad } from './http-load.js';
import { commitStats, logCounters } from './log-stats.js';
import { watchCpu } from './machine.js';
import { ADMIN_TOKEN, spawnEvidentServe } from './server.js';
import { log, median } from './stats.js';

const [before, after, roundsText] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: bench/logpath-ab.ts <before main.js> <after main.js> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(roundsText ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ENTRIES = Number(process.env.BENCH_AB_ENTRIES ?? 200_000);
const ADMIN = `Bearer ${ADMIN_TOKEN}`;

type Row = Record<string, number>;

const template = mkdtempSync(join(tmpdir(), 'evident-logpath-'));
log(`filling ${ENTRIES} entries once…`);
const filled = await fill(template, ENTRIES);
const ingest = filled.ingestAuthorization;

async function run(main: string): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'evident-logpath-run-'));
  cpSync(template, dir, { recursive: true });
  const database = join(dir, 'evident.db');
  const server = await spawnEvidentServe({ mode: 'compiled', main }, dir);
  const row: Row = {};
  try {
    const pool = new BodyPool(2000, new IdSource());
    const random = prng(32);
    const proofPath = () => `/api/v1/log/proof/inclusion?seq=${Math.floor(random() * ENTRIES)}`;
    const ingestHeaders = { authorization: ingest, 'content-type': 'application/json' };
    const arrays = (seconds: number) =>
      arraysLoad(`${server.url}/api/v1/events`, ingestHeaders, pool, seconds);

    let counters = logCounters(database);
    let cpu = watchCpu({ server: server.pid, bench: process.pid });
    const a = await arrays(SECONDS);
    const share = cpu();
    const aCommits = commitStats(counters, logCounters(database));
    row.arraysEventsPerS = a.okPerSecond * ARRAY_EVENTS;
    row.arraysPerCommit = aCommits.entriesPerCommit;
    row.arraysCpuUsPerEvent = ((share.processes.server ?? 0) / 100) * (1e6 / row.arraysEventsPerS);
    row.arraysKiBPerEvent = (share.writtenBytes.server ?? 0) / 1024 / (a.ok * ARRAY_EVENTS);
    row.arraysFailed = a.failed;

    const [loaded, reads] = await Promise.all([
      arrays(SECONDS),
      closedLoad({
        url: `${server.url}/api/v1/log/proof/inclusion`,
        connections: 1,
        seconds: SECONDS,
        method: 'GET',
        headers: { authorization: ADMIN },
        path: proofPath,
      }),
    ]);
    row.loadedEventsPerS = loaded.okPerSecond * ARRAY_EVENTS;
    row.proofUnderLoadP50 = reads.latency.p50;
    row.proofUnderLoadP99 = reads.latency.p99;
    row.proofUnderLoadFailed = reads.failed;

    counters = logCounters(database);
    cpu = watchCpu({ server: server.pid, bench: process.pid });
    const s = await closedLoad({
      url: `${server.url}/api/v1/events`,
      connections: 64,
      seconds: SECONDS,
      method: 'POST',
      headers: { authorization: ingest, 'content-type': 'application/json' },
      body: () => pool.event(),
    });
    const sShare = cpu();
    row.singleRequestsPerS = s.okPerSecond;
    row.singleP99 = s.latency.p99;
    row.singlePerCommit = commitStats(counters, logCounters(database)).entriesPerCommit;
    row.singleCpuUsPerRequest = ((sShare.processes.server ?? 0) / 100) * (1e6 / s.okPerSecond);
    row.singleFailed = s.failed;

    const proofs = await closedLoad({
      url: `${server.url}/api/v1/log/proof/inclusion`,
      connections: 1,
      seconds: SECONDS,
      method: 'GET',
      headers: { authorization: ADMIN },
      path: proofPath,
    });
    row.proofP50 = proofs.latency.p50;
    row.proofP99 = proofs.latency.p99;
    const floor = await closedLoad({
      url: `${server.url}/api/v1/log`,
      connections: 1,
      seconds: SECONDS,
      method: 'GET',
      headers: { authorization: ADMIN },
    });
    row.logReadP50 = floor.latency.p50;
    row.logReadP99 = floor.latency.p99;
    row.otherCores = (share.othersCores + sShare.othersCores) / 2;
    return row;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = { before: [] as Row[], after: [] as Row[] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first, so a drift in the machine's load does not favour one side.
    const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
    for (const side of order) {
      const r = await run(side === 'before' ? before : after);
      runs[side].push(r);
      log(`round ${round + 1} ${side}: ${JSON.stringify(roundTo(r))}`);
    }
  }
} finally {
  rmSync(template, { recursive: true, force: true });
}
const keys = Object.keys(runs.before[0] ?? {});
const summary: Record<string, { before: number; after: number; ratio: number }> = {};
for (const k of keys) {
  const b = median(runs.before.map((r) => r[k]!));
  const a = median(runs.after.map((r) => r[k]!));
  summary[k] = { before: round2(b), after: round2(a), ratio: round2(b === 0 ? Number.NaN : a / b) };
}
console.log(JSON.stringify({ entries: ENTRIES, seconds: SECONDS, rounds: ROUNDS, summary }));

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
function roundTo(r: Row): Row {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, round2(v)]));
}
