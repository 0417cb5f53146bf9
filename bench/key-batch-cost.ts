/**
 * What one batch of the SQLite key tables (migrations 14 and 16, src/store/sqlite/key-indexer.ts)
 * costs on a log of a given size: its newest `rows` keys are taken out and written again, as
 * the writer thread's batch writes them, timed (wall and CPU) with the WAL pages it wrote.
 *   node --import tsx bench/key-batch-cost.ts <dataDir> [entries]   fills dataDir first
 *   node --import tsx bench/key-batch-cost.ts <dataDir> 0           reuses a filled dataDir
 *   BENCH_KEY_ROWS=4096,1024,512   batch sizes to time (default)
 *   BENCH_KEY_SYNC=NORMAL          the writer's synchronous setting for the batch (default FULL)
 * While the writer runs a batch no append can commit: the wall time is how long acks wait.
 */
import Database from 'better-sqlite3';
import { KeyIndexer } from '../src/store/sqlite/key-indexer.js';
import { fill } from './fill.js';

const [dir, entriesText] = process.argv.slice(2);
if (!dir) {
  console.error('usage: bench/key-batch-cost.ts <dataDir> [entries | 0]');
  process.exit(2);
}
const entries = Number(entriesText ?? 1_000_000);
if (entries > 0) await fill(dir, entries);
const db = new Database(`${dir}/evident.db`);
db.pragma(`synchronous = ${process.env.BENCH_KEY_SYNC ?? 'FULL'}`);
const below = Number(
  (db.prepare('SELECT indexed_below AS b FROM entry_keys_position').get() as { b: number }).b,
);
const tables = ['entry_actor_keys', 'entry_actor_time_keys', 'entry_target_keys'];
console.log(`${below} entries keyed`);
for (const rows of (process.env.BENCH_KEY_ROWS ?? '4096,1024,512').split(',').map(Number)) {
  const from = below - rows;
  // Untimed: the batch's keys out again, and the WAL emptied so its pages count alone.
  db.transaction(() => {
    for (const table of tables) db.prepare(`DELETE FROM ${table} WHERE entry_seq >= ?`).run(from);
    db.prepare('UPDATE entry_keys_position SET indexed_below = ?').run(from);
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  const wall = performance.now();
  const cpu = process.cpuUsage();
  // The writer thread's own batch (its sizes are set by `rows` here, not KEY_BATCH_ROWS).
  const keyed = new KeyIndexer(db, rows).run(true);
  if (keyed !== rows) throw new Error(`keyed ${keyed} rows, expected ${rows}`);
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - wall;
  const pages = (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]?.log ?? 0;
  console.log(
    `${rows} rows: ${ms.toFixed(1)} ms wall, ${((used.user + used.system) / 1000).toFixed(1)} ms CPU ` +
      `(${((used.user + used.system) / rows).toFixed(1)} µs/row), ${pages} WAL pages (${(pages / rows).toFixed(2)} per row)`,
  );
}
db.close();
