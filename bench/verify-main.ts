/**
 * The verify phase of `npm run bench` on its own: `npm run bench:verify`.
 *   BENCH_ENTRIES      entries to fill (default 1000000)
 *   BENCH_VERIFY_DATA  verify this data folder instead of filling a fresh one (kept)
 *   BENCH_VERIFY_URL=0 skip `verify --url` (a server on the folder, through tsx)
 *   BENCH_ROUNDS       rounds of `verify --url` the old way (one page at a time) and the CLI's
 *                      way, alternating (default 1)
 * Prints the Verify section of BENCHMARKS.md with the machine's load during the phase.
 * `verify --url` appends one audit event per page it reads to the folder's log.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fill } from './fill.js';
import { watchCpu } from './machine.js';
import { TARGETS } from './results.js';
import { ADMIN_TOKEN, spawnEvidentServe } from './server.js';
import { log } from './stats.js';
import { verifyLog } from './verify.js';
import { ONE_PAGE_AT_A_TIME, verifyRemoteLog } from './verify-remote.js';
import { verifyMarkdown, verifyRemoteMarkdown } from './verify-report.js';

const given = process.env.BENCH_VERIFY_DATA;
const entries = Number(process.env.BENCH_ENTRIES || 1_000_000);
const rounds = Number(process.env.BENCH_ROUNDS || 1);
const dir = given ?? join(resolve('.bench-data'), `verify-${process.pid}`);
try {
  if (given === undefined) {
    mkdirSync(dir, { recursive: true });
    log(`filling ${entries} entries into ${dir}`);
    await fill(dir, entries);
  }
  log(
    `load average before verify: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  const cpu = watchCpu({ bench: process.pid });
  const result = await verifyLog(dir);
  const load = cpu();
  log(
    `load average after verify: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`\n${verifyMarkdown(result, TARGETS.verifyEntriesPerSecond, load)}\n`);
  console.log(JSON.stringify({ ...result, load }));
  if (process.env.BENCH_VERIFY_URL !== '0') {
    const server = await spawnEvidentServe({ mode: 'tsx', main: '' }, dir);
    try {
      const remoteCpu = watchCpu({ bench: process.pid, server: server.pid });
      const runs = [];
      // The old way and the CLI's way alternately, so both meet the same load.
      for (let round = 0; round < rounds; round++) {
        for (const mode of [ONE_PAGE_AT_A_TIME, {}]) {
          const run = await verifyRemoteLog(server.url, ADMIN_TOKEN, server.pid, mode);
          log(JSON.stringify(run));
          runs.push(run);
        }
      }
      const remoteLoad = remoteCpu();
      console.log(`\n${verifyRemoteMarkdown(runs, result, remoteLoad)}\n`);
      console.log(JSON.stringify({ remote: runs, load: remoteLoad }));
    } finally {
      await server.stop();
    }
  }
} finally {
  if (given === undefined) rmSync(dir, { recursive: true, force: true });
}
