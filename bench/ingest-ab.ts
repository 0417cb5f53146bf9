/**
 * Before/after ingest throughput in one run: two compiled builds of Evident (say, main before
 * and after a change), each serving a fresh data folder, loaded alternately with the same
 * batched ingest (clients × 500-event arrays), so both see the same machine. Usage:
 *   node --import tsx bench/ingest-ab.ts <before/src/cli/main.js> <after/src/cli/main.js> [rounds]
 * Prints events/s per round and the after/before ratio of the medians, and the server's CPU
 * time per event (all its threads, and its main thread alone), which a busy machine disturbs
 * far less than the rate: a slower build spends more CPU per event wherever it runs.
 * "Settled" CPU counts from the start of the load until the server is idle again: work a build
 * defers past the load (the alert engine catching up) is counted too, so two builds that do the
 * same work at different times compare equal.
 *   BENCH_AB_PROFILE=<dir>  also CPU-profile each server (--cpu-prof, one folder per run;
 *                           summarise with bench/cpu-profile.ts)
 *   BENCH_AB_NODE_ARGS_AFTER="<flags>"  node flags for the after side only (ab-node-args.ts)
 *   BENCH_AB_FILL=<n>       fill each data folder with n entries first (bench/fill.ts, as
 *                           `npm run bench` does), to compare on a grown log, not a fresh one
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { abNodeArgs } from './ab-node-args.js';
import { fill } from './fill.js';
import { BodyPool, IdSource } from './fixtures.js';
import { closedLoad } from './http-load.js';
import { watchCpu } from './machine.js';
import { createIngestKey, spawnEvidentServe } from './server.js';
import { log, median } from './stats.js';

const [before, after, roundsText] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: bench/ingest-ab.ts <before main.js> <after main.js> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(roundsText ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_BATCH_CLIENTS ?? 4);
const EVENTS = 500;
const FILL = Number(process.env.BENCH_AB_FILL ?? 0);

interface RunResult {
  eventsPerSecond: number;
  /** Server CPU per acknowledged event: every thread, and the main thread. */
  cpuUsPerEvent: number;
  mainUsPerEvent: number;
  /** Server CPU per event from the load's start until the server is idle again. */
  settledUsPerEvent: number;
}

/** The process's user + system CPU so far, in ms (/proc/PID/stat, clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Waits until the process used under 3% of a core over a 500 ms window (at most 30 s). */
async function settle(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = cpuMs(pid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    const now = cpuMs(pid);
    if (now - last < 15) return;
    last = now;
  }
}

async function run(main: string, nodeArgs: string[]): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'evident-ab-'));
  if (FILL > 0) await fill(dir, FILL);
  const server = await spawnEvidentServe({ mode: 'compiled', main }, dir, [], nodeArgs);
  try {
    const key = await createIngestKey(server.url);
    const pool = new BodyPool(2000, new IdSource());
    const cpu = watchCpu({ server: server.pid });
    const cpuAtStart = cpuMs(server.pid);
    const result = await closedLoad({
      url: `${server.url}/api/v1/events`,
      connections: CLIENTS,
      seconds: SECONDS,
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: () => pool.array(EVENTS),
    });
    if (result.failed > 0)
      log(`${result.failed} requests failed: ${JSON.stringify(result.statuses)}`);
    const share = cpu();
    await settle(server.pid);
    const settledMs = cpuMs(server.pid) - cpuAtStart;
    const eventsPerSecond = result.okPerSecond * EVENTS;
    // Percent of one core over the load, per event per second: µs of CPU per event.
    const perEvent = (percent: number | undefined) =>
      ((percent ?? 0) / 100) * (1e6 / eventsPerSecond);
    return {
      eventsPerSecond,
      cpuUsPerEvent: perEvent(share.processes.server),
      mainUsPerEvent: perEvent(share.mainThreads.server),
      settledUsPerEvent: (settledMs * 1000) / (result.ok * EVENTS),
    };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const PROFILE = process.env.BENCH_AB_PROFILE;
const runs = { before: [] as RunResult[], after: [] as RunResult[] };
for (let round = 0; round < ROUNDS; round++) {
  // Alternate which goes first, so a drift in the machine's load does not favour one side.
  const order = round % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
  for (const side of order) {
    const profileDir = PROFILE === undefined ? undefined : join(PROFILE, `${side}-${round + 1}`);
    const r = await run(side === 'before' ? before : after, abNodeArgs(side, profileDir));
    runs[side].push(r);
    log(
      `round ${round + 1} ${side}: ${Math.round(r.eventsPerSecond)} events/s, ` +
        `server CPU ${r.cpuUsPerEvent.toFixed(1)} µs/event (main thread ${r.mainUsPerEvent.toFixed(1)}), ` +
        `${r.settledUsPerEvent.toFixed(1)} µs/event until idle`,
    );
  }
}
const medianOf = (side: 'before' | 'after', key: keyof RunResult) =>
  median(runs[side].map((r) => r[key]));
console.log(
  JSON.stringify({
    before: runs.before.map((r) => Math.round(r.eventsPerSecond)),
    after: runs.after.map((r) => Math.round(r.eventsPerSecond)),
    medianRatio: Number(
      (medianOf('after', 'eventsPerSecond') / medianOf('before', 'eventsPerSecond')).toFixed(3),
    ),
    cpuUsPerEvent: {
      before: runs.before.map((r) => Number(r.cpuUsPerEvent.toFixed(1))),
      after: runs.after.map((r) => Number(r.cpuUsPerEvent.toFixed(1))),
    },
    mainUsPerEvent: {
      before: runs.before.map((r) => Number(r.mainUsPerEvent.toFixed(1))),
      after: runs.after.map((r) => Number(r.mainUsPerEvent.toFixed(1))),
    },
    // Above 1: the after build spends more CPU per event.
    cpuRatio: Number(
      (medianOf('after', 'cpuUsPerEvent') / medianOf('before', 'cpuUsPerEvent')).toFixed(3),
    ),
    settledUsPerEvent: {
      before: runs.before.map((r) => Number(r.settledUsPerEvent.toFixed(1))),
      after: runs.after.map((r) => Number(r.settledUsPerEvent.toFixed(1))),
    },
    settledRatio: Number(
      (medianOf('after', 'settledUsPerEvent') / medianOf('before', 'settledUsPerEvent')).toFixed(3),
    ),
    mainThreadRatio: Number(
      (medianOf('after', 'mainUsPerEvent') / medianOf('before', 'mainUsPerEvent')).toFixed(3),
    ),
  }),
);
