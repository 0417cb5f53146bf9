/**
 * The verify step of `evident migrate`, before and after it used worker threads, on one copy:
 *   BENCH_VERIFY_DATA  a filled data folder (bench/fill.ts), copied as migrate copies it
 *   BENCH_PG_URL       PostgreSQL database (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_ROUNDS       alternating rounds of each (default 2)
 * The copy goes into a fresh schema `bench_migrate_<pid>`, dropped at the end. Only the verify
 * step is timed: the copy is the same code either way.
 */
import pg from 'pg';
import { copyLog } from '../src/log/copy-log.js';
import { openStore } from '../src/store/open-store.js';
import { verifyStore } from '../src/verify/verify-store.js';
import { watchCpu } from './machine.js';
import { log } from './stats.js';

const dataDir = process.env.BENCH_VERIFY_DATA;
if (!dataDir) throw new Error('set BENCH_VERIFY_DATA to a filled data folder');
const base = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const rounds = Number(process.env.BENCH_ROUNDS || 2);
const schema = `bench_migrate_${process.pid}`;
const databaseUrl = `${base}${base.includes('?') ? '&' : '?'}schema=${schema}`;

const source = await openStore({ dataDir }, { readonly: true });
const target = await openStore({ dataDir, databaseUrl });
try {
  const copyStart = performance.now();
  const copied = await copyLog(source, target);
  log(
    `copied ${copied.entries} entries in ${((performance.now() - copyStart) / 1000).toFixed(1)} s`,
  );
  const runs: {
    mode: string;
    seconds: number;
    entriesPerSecond: number;
    benchCores: number;
    othersCores: number;
  }[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['main thread (before)', 'worker threads (after)']) {
      const cpu = watchCpu({ bench: process.pid });
      const start = performance.now();
      const report = await verifyStore(target, {
        ...(mode.startsWith('worker') ? { location: { dataDir, databaseUrl } } : {}),
      });
      const seconds = (performance.now() - start) / 1000;
      const load = cpu();
      if (!report.ok) throw new Error(`verify failed: ${JSON.stringify(report.problems[0])}`);
      const run = {
        mode,
        seconds,
        entriesPerSecond: report.entriesChecked / seconds,
        benchCores: (load.processes.bench ?? 0) / 100,
        othersCores: load.othersCores,
      };
      log(JSON.stringify(run));
      runs.push(run);
    }
  }
  console.log(
    '\n| Verify step of `evident migrate` | Entries/s | Seconds | Verifier (cores) | Other processes (cores) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of runs) {
    console.log(
      `| ${r.mode} | ${Math.round(r.entriesPerSecond).toLocaleString('en-US')} | ${r.seconds.toFixed(1)} | ${r.benchCores.toFixed(2)} | ${r.othersCores.toFixed(2)} |`,
    );
  }
} finally {
  await source.close();
  await target.close();
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
}
