/**
 * Raw SQLite before/after migration 14 in one run: the same rows inserted into the schema
 * with the actor/target indexes on entries (every migration but 14) and into the schema with
 * key tables filled behind the log by KeyIndexer after each COMMIT (as the writer thread
 * does), at the raw fill size and at Evident's real group sizes. Deferred key batches are
 * timed and counted in the call that caused them. CPU µs per row is the load-robust figure.
 * Usage: node --import tsx bench/key-tables-ab.ts   (BENCH_AB_ENTRIES, BENCH_SECONDS;
 * BENCH_KEY_BATCH tries another batch size; BENCH_VARIANTS=keyTables runs one side only)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KEY_BATCH_ROWS } from '../src/store/sqlite/key-batch.js';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.js';
import { keyIndexerAfterCommit, type RawInsertResult, RawSqlite } from './sqlite-limit.js';
import { log } from './stats.js';

const ENTRIES = Number(process.env.BENCH_AB_ENTRIES ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const GROUPS = [1336, 21];
const KEY_BATCH = Number(process.env.BENCH_KEY_BATCH ?? KEY_BATCH_ROWS);
const ONLY = process.env.BENCH_VARIANTS?.split(',');

const variants = {
  indexes: () => ({ migrations: SQLITE_MIGRATIONS.filter((m) => m.version !== 14) }),
  keyTables: () => ({ afterCommit: keyIndexerAfterCommit(KEY_BATCH) }),
};

const describe = (r: RawInsertResult) => ({
  rowsPerTx: r.transactionRows,
  rowsPerS: Math.round(r.eventsPerSecond),
  cpuUsPerRow: +((r.cpuSeconds * 1e6) / r.rows).toFixed(1),
  kibPerRow: +(r.writtenBytesPerRow / 1024).toFixed(2),
  commitMeanMs: +r.commitMs.mean.toFixed(2),
});

const results: Record<string, unknown[]> = {};
for (const [name, options] of Object.entries(variants)) {
  if (ONLY && !ONLY.includes(name)) continue;
  const dir = mkdtempSync(join(tmpdir(), `evident-keys-ab-${name}-`));
  const raw = new RawSqlite(join(dir, 'raw.db'), options());
  const rows = [describe(raw.fill(ENTRIES))];
  for (const g of GROUPS) rows.push(describe(raw.atGroupSize(g, SECONDS)));
  await raw.close();
  rmSync(dir, { recursive: true, force: true });
  results[name] = rows;
  log(`${name}: ${JSON.stringify(rows)}`);
}
console.log(JSON.stringify({ entries: ENTRIES, seconds: SECONDS, results }));
