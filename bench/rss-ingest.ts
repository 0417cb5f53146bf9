/**
 * The server's memory while ingesting 10M entries: `node --import tsx bench/rss-ingest.ts`.
 * Starts the real server (`evident serve`, compiled by tsc into the bench folder) on a fresh
 * log, ingests through the HTTP API (JSON arrays of 500 from a few clients, every request
 * acknowledged = committed, fsynced, checkpointed) and samples the server's VmRSS and VmHWM
 * (/proc/PID/status) every second.
 *   RSS_ENTRIES   entries to ingest (default 10000000)
 *   RSS_CLIENTS   concurrent clients (default 4)
 *   RSS_SECONDS   stop earlier after this many seconds (default: no limit)
 *   RSS_IDS       the events' ids: ulid (default, time-ordered, as the client library makes
 *                 them) or uuid (random version 4 UUIDs: each id lookup and insert lands on
 *                 a random page of the id index)
 *   RSS_NODE_ARGS node flags for the server, e.g. "--max-semi-space-size=32" (what it costs)
 *   RSS_DATA      folder inside this checkout for the log, the build and the samples
 *                 (default .bench-data/rss-<pid>; the log is deleted at the end unless
 *                 RSS_KEEP=1; a build already there is reused unless RSS_REBUILD=1)
 * Every sample goes to <folder>/samples.jsonl as it is taken, so a run stopped early
 * (SIGINT, SIGTERM, RSS_SECONDS) still reports what it reached. Prints the BENCHMARKS.md
 * section "Server memory while ingesting 10M" and the results as JSON.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { createIngestKey } from '../src/access/credentials/ingest-keys.js';
import { openLog } from '../src/log/open-log.js';
import { systemClock } from '../src/util/clock.js';
import { BENCH_ORIGIN, BENCH_SOURCE } from './fill.js';
import { BodyPool, idSourceNamed } from './fixtures.js';
import { type CpuShare, watchCpu } from './machine.js';
import { memoryReport, type RssSample } from './rss-report.js';
import { buildServer, spawnEvidentServe } from './server.js';
import { log } from './stats.js';

const BATCH = 500;
const target = Number(process.env.RSS_ENTRIES || 10_000_000);
const clients = Number(process.env.RSS_CLIENTS || 4);
const maxSeconds = Number(process.env.RSS_SECONDS || Number.POSITIVE_INFINITY);
const dir = resolve(process.env.RSS_DATA ?? join('.bench-data', `rss-${process.pid}`));
const dataDir = join(dir, 'log');
const samplesFile = join(dir, 'samples.jsonl');

rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
rmSync(samplesFile, { force: true });
// A build left by an earlier run in the same folder is reused (RSS_REBUILD=1 rebuilds).
const built = join(dir, 'dist', 'src', 'cli', 'main.js');
const reuse = existsSync(built) && process.env.RSS_REBUILD !== '1';
if (!reuse) log(`building the server into ${dir}/dist`);
const main = reuse ? built : buildServer(join(dir, 'dist'));
const opened = await openLog({ dataDir, origin: BENCH_ORIGIN, clock: systemClock });
const key = await createIngestKey(opened.store, systemClock, BENCH_SOURCE, 'rss bench');
await opened.close();

const nodeArgs = (process.env.RSS_NODE_ARGS ?? '').split(' ').filter(Boolean);
const server = await spawnEvidentServe({ mode: 'compiled', main }, dataDir, [], nodeArgs);
log(`server ${server.pid} at ${server.url}; ingesting ${target} entries, ${clients} clients`);
const cpu = watchCpu({ server: server.pid, 'load generator': process.pid });
const start = performance.now();
let acked = 0;
let failed = 0;
let stopping = false;
const samples: RssSample[] = [];

const sample = () => {
  const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  const s: RssSample = {
    seconds: (performance.now() - start) / 1000,
    entries: acked,
    rssKiB: kib('VmRSS'),
    hwmKiB: kib('VmHWM'),
    // Anonymous (heaps, caches) vs file-backed (the node binary's code): what can shrink.
    rssAnonKiB: kib('RssAnon'),
    rssFileKiB: kib('RssFile'),
    load1: loadavg()[0]!,
  };
  samples.push(s);
  appendFileSync(samplesFile, `${JSON.stringify(s)}\n`);
};
const sampler = setInterval(sample, 1000);
const stop = () => {
  stopping = true;
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

const pool = new BodyPool(20_000, idSourceNamed(process.env.RSS_IDS));
const headers = { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' };
let next = 0;
async function client(): Promise<void> {
  while (!stopping && next < target && (performance.now() - start) / 1000 < maxSeconds) {
    const count = Math.min(BATCH, target - next);
    next += count;
    const response = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST',
      headers,
      body: pool.array(count),
    });
    const text = await response.text();
    if (response.status === 201) acked += count;
    else {
      failed++;
      log(`request refused: ${response.status} ${text.slice(0, 200)}`);
      if (failed > 100) throw new Error('more than 100 refused requests');
    }
  }
}

let share: CpuShare;
try {
  await Promise.all(Array.from({ length: clients }, client));
} finally {
  clearInterval(sampler);
  sample();
  share = cpu();
  await server.stop();
  if (process.env.RSS_KEEP !== '1') rmSync(dataDir, { recursive: true, force: true });
}
const result = { target, clients, acked, failed, cpu: share, samples: samples.length };
console.log(`\n${memoryReport(samples, { target, clients, failed, cpu: share })}\n`);
console.log(JSON.stringify(result));
