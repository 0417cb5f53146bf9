/**
 * Where a batched ingest's server CPU goes, by OS thread: starts `evident serve` on a fresh
 * data folder, loads it with clients × 500-event arrays, and prints each thread's CPU per
 * acknowledged event (/proc/PID/task/TID: main, writer, checkpointer, V8 GC helpers, libuv).
 *   node --import tsx bench/thread-cpu.ts <main.js> [clients] [seconds]
 *   BENCH_NODE_ARGS="--max-semi-space-size=64"  node options for the server (space-separated)
 *   BENCH_PACED=<rate>  instead, single events at this rate (open loop, 64 connections), and
 *                       their ack p50/p99 from the instant each was due (bench/paced-load.ts)
 *   BENCH_SINGLE=1      instead, single events from 64 clients in a closed loop (the bench's
 *                       single-event scenario), after 2 s of the same rather than of arrays
 *   BENCH_DATA=<dir>  serve a copy of this data folder (a filled log) instead of a fresh one
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BodyPool, IdSource } from './fixtures.js';
import { SINGLE_CLIENTS } from './http-ingest.js';
import { closedLoad } from './http-load.js';
import { pacedLoad } from './paced-load.js';
import { createIngestKey, spawnEvidentServe } from './server.js';

const [main, clientsText, secondsText] = process.argv.slice(2);
if (!main) {
  console.error('usage: bench/thread-cpu.ts <main.js> [clients] [seconds]');
  process.exit(2);
}
const CLIENTS = Number(clientsText ?? 8);
const SECONDS = Number(secondsText ?? 5);

/** CPU ms of every thread of the process, by "name tid". */
function threads(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(`${name} ${tid}`, (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // the thread ended
    }
  }
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'evident-threads-'));
if (process.env.BENCH_DATA) cpSync(process.env.BENCH_DATA, dir, { recursive: true });
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const server = await spawnEvidentServe({ mode: 'compiled', main }, dir, [], nodeArgs);
try {
  const key = await createIngestKey(server.url);
  const pool = new BodyPool(2000, new IdSource());
  const single = process.env.BENCH_SINGLE === '1';
  const load = (seconds: number) =>
    closedLoad({
      url: `${server.url}/api/v1/events`,
      connections: single ? SINGLE_CLIENTS : CLIENTS,
      seconds,
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: single ? () => pool.event() : () => pool.array(500),
    });
  const paced = Number(process.env.BENCH_PACED ?? 0);
  await load(2);
  const before = threads(server.pid);
  let events: number;
  if (paced > 0) {
    const r = await pacedLoad({
      url: `${server.url}/api/v1/events`,
      ratePerSecond: paced,
      seconds: SECONDS,
      connections: SINGLE_CLIENTS,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: () => pool.event(),
    });
    events = r.ok;
    console.log(
      `single events paced at ${paced}/s: ${Math.round(r.okPerSecond)}/s acked, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms, ${r.failed} failed`,
    );
  } else if (single) {
    const result = await load(SECONDS);
    events = result.ok;
    console.log(
      `${SINGLE_CLIENTS} clients, single events: ${Math.round(events / SECONDS)} requests/s, p50 ${result.latency.p50.toFixed(1)} ms, p99 ${result.latency.p99.toFixed(1)} ms`,
    );
  } else {
    const result = await load(SECONDS);
    events = result.ok * 500;
    console.log(`${CLIENTS} clients: ${Math.round(events / SECONDS)} events/s`);
  }
  const after = threads(server.pid);
  const rows = [...after]
    .map(([k, v]) => [k, v - (before.get(k) ?? 0)] as const)
    .filter(([, ms]) => ms > 0)
    .sort((a, b) => b[1] - a[1]);
  let total = 0;
  for (const [name, ms] of rows) {
    total += ms;
    console.log(`${name.padEnd(28)} ${((ms * 1000) / events).toFixed(1).padStart(7)} µs/event`);
  }
  console.log(
    `${'all threads'.padEnd(28)} ${((total * 1000) / events).toFixed(1).padStart(7)} µs/event`,
  );
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  console.log(
    `RSS ${/VmRSS:\s+(\d+)/.exec(status)?.[1]} kB, high-water ${/VmHWM:\s+(\d+)/.exec(status)?.[1]} kB`,
  );
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
