/**
 * Before/after of single-event ingest in one run: two compiled builds, each serving a fresh
 * data folder, loaded alternately so both see the same machine. Per run:
 *   - 64 clients sending one event per request, closed loop: requests/s, server CPU per
 *     request (all threads, and the main thread alone), events per group commit;
 *   - an open-loop paced load at BENCH_PACED_RATE requests/s (default 1,715: half of the
 *     quiet baseline's closed-loop rate, a fixed figure so both builds get the same offer):
 *     ack p50/p99 counted from each request's due time.
 * CPU is read from /proc (watchCpu), which a busy machine disturbs far less than the rates.
 * Usage: node --import tsx bench/single-ab.ts <before main.js> <after main.js> [rounds]
 *   BENCH_AB_PROFILE=<dir>  also CPU-profile each server (--cpu-prof; bench/cpu-profile.ts)
 *   BENCH_AB_NODE_ARGS_AFTER="<flags>"  node flags for the after side only (ab-node-args.ts)
 *   BENCH_AB_ARRAYS=<s>     first send arrays of 500 from 8 clients for s seconds, as the full
 *                           bench does before its single-event phase: the rule engine's windows
 *                           are then full (megabytes of state) rather than empty
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abNodeArgs } from './ab-node-args.js';
import { BodyPool, IdSource } from './fixtures.js';
import { ARRAY_EVENTS, arraysLoad, closedLoad } from './http-load.js';
import { commitStats, logCounters } from './log-stats.js';
import { watchCpu } from './machine.js';
import { pacedLoad } from './paced-load.js';
import { createIngestKey, spawnEvidentServe } from './server.js';
import { log, median } from './stats.js';

const [before, after, roundsText] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: bench/single-ab.ts <before main.js> <after main.js> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(roundsText ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = 64;
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 1715);
const ARRAYS_SECONDS = Number(process.env.BENCH_AB_ARRAYS ?? 0);

type Row = Record<string, number>;

async function run(main: string, nodeArgs: string[]): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'evident-single-ab-'));
  const server = await spawnEvidentServe({ mode: 'compiled', main }, dir, [], nodeArgs);
  try {
    const key = await createIngestKey(server.url);
    const pool = new BodyPool(20_000, new IdSource());
    const url = `${server.url}/api/v1/events`;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const body = () => pool.event();
    if (ARRAYS_SECONDS > 0) {
      const arrays = await arraysLoad(url, headers, pool, ARRAYS_SECONDS);
      log(`  arrays first: ${Math.round(arrays.okPerSecond * ARRAY_EVENTS)} events/s`);
    }
    await closedLoad({ url, connections: 16, seconds: 2, method: 'POST', headers, body });

    const database = join(dir, 'evident.db');
    const countersBefore = logCounters(database);
    const cpu = watchCpu({ server: server.pid });
    const closed = await closedLoad({
      url,
      connections: CLIENTS,
      seconds: SECONDS,
      method: 'POST',
      headers,
      body,
    });
    const share = cpu();
    const commits = commitStats(countersBefore, logCounters(database));
    if (closed.failed > 0)
      log(`${closed.failed} requests failed: ${JSON.stringify(closed.statuses)}`);
    const perRequest = (percent: number | undefined) =>
      ((percent ?? 0) / 100) * (1e6 / closed.okPerSecond);

    const pacedBefore = logCounters(database);
    const pacedCpu = watchCpu({ server: server.pid });
    const paced = await pacedLoad({
      url,
      ratePerSecond: PACED_RATE,
      seconds: SECONDS,
      connections: CLIENTS,
      headers,
      body,
    });
    const pacedShare = pacedCpu();
    const pacedCommits = commitStats(pacedBefore, logCounters(database));
    return {
      requestsPerSecond: closed.okPerSecond,
      closedP99: closed.latency.p99,
      cpuUsPerRequest: perRequest(share.processes.server),
      mainUsPerRequest: perRequest(share.mainThreads.server),
      eventsPerCommit: commits.entriesPerCommit,
      pacedP50: paced.latency.p50,
      pacedP99: paced.latency.p99,
      pacedEventsPerCommit: pacedCommits.entriesPerCommit,
      pacedMainPercent: pacedShare.mainThreads.server ?? 0,
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROFILE = process.env.BENCH_AB_PROFILE;
const runs = { before: [] as Row[], after: [] as Row[] };
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so a drift in the machine's load does not favour one side.
  const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
  for (const side of order) {
    const profileDir = PROFILE === undefined ? undefined : join(PROFILE, `${side}-${round + 1}`);
    const r = await run(side === 'before' ? before : after, abNodeArgs(side, profileDir));
    runs[side].push(r);
    log(
      `round ${round + 1} ${side}: ${Object.entries(r)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}`,
    );
  }
}
const keys = Object.keys(runs.before[0] ?? {});
const summary: Record<string, { before: number; after: number; ratio: number }> = {};
for (const key of keys) {
  const b = median(runs.before.map((r) => r[key]!));
  const a = median(runs.after.map((r) => r[key]!));
  summary[key] = { before: round1(b), after: round1(a), ratio: Number((a / b).toFixed(3)) };
}
console.log(JSON.stringify(summary, null, 1));

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
