/**
 * The verify phase of `npm run bench` on its own: `npm run bench:verify`.
 *   BENCH_ENTRIES      entries to fill (default 1000000)
 *   BENCH_VERIFY_DATA  verify this data folder instead of filling a fresh one (kept)
 * Prints the Verify section of BENCHMARKS.md with the machine's load during the phase.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fill } from './fill.js';
import { watchCpu } from './machine.js';
import { TARGETS } from './results.js';
import { log } from './stats.js';
import { verifyLog } from './verify.js';
import { verifyMarkdown } from './verify-report.js';

const given = process.env.BENCH_VERIFY_DATA;
const entries = Number(process.env.BENCH_ENTRIES || 1_000_000);
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
} finally {
  if (given === undefined) rmSync(dir, { recursive: true, force: true });
}
