/**
 * Store-level search latency, before/after in one process: the same filled log (filled by
 * this checkout's bench/fill.ts) opened by two compiled SqliteStore builds, kinds measured
 * alternately so both see the same machine. The after build may key actor and target ids
 * behind the log (migration 14): BENCH_TAIL_ROWS marks that many newest entries as not yet
 * keyed, so its searches also read that tail from entries (their worst case).
 * Usage: node --import tsx bench/search-ab.ts <before sqlite-store.js> <after sqlite-store.js> [rounds]
 */
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Store } from '../src/store/store.js';
import { fill } from './fill.js';
import { searchStoreLevel } from './search.js';
import { log, median } from './stats.js';

const [before, after, roundsText] = process.argv.slice(2);
if (!before || !after) {
  console.error(
    'usage: bench/search-ab.ts <before sqlite-store.js> <after sqlite-store.js> [rounds]',
  );
  process.exit(2);
}
const ROUNDS = Number(roundsText ?? 2);
const ENTRIES = Number(process.env.BENCH_AB_ENTRIES ?? 200_000);
const TAIL = Number(process.env.BENCH_TAIL_ROWS ?? 0);

type Open = { SqliteStore: { open(file: string): Store } };
const builds = { before: (await import(before)) as Open, after: (await import(after)) as Open };

const template = mkdtempSync(join(tmpdir(), 'evident-search-ab-'));
log(`filling ${ENTRIES} entries once…`);
const filled = await fill(template, ENTRIES);
const stores: Record<string, Store> = {};
for (const name of ['before', 'after'] as const) {
  const dir = mkdtempSync(join(tmpdir(), `evident-search-ab-${name}-`));
  cpSync(template, dir, { recursive: true });
  const file = join(dir, 'evident.db');
  stores[name] = builds[name].SqliteStore.open(file);
  if (name === 'after' && TAIL > 0) {
    const db = new Database(file);
    db.prepare('UPDATE entry_keys_position SET indexed_below = indexed_below - ?').run(TAIL);
    db.close();
  }
}
const p99: Record<string, Record<string, number[]>> = { before: {}, after: {} };
for (let round = 0; round < ROUNDS; round++) {
  for (const name of round % 2 === 0 ? ['before', 'after'] : ['after', 'before']) {
    for (const r of await searchStoreLevel(stores[name]!, filled.startMs, filled.endMs)) {
      const samples = p99[name]![r.kind] ?? [];
      samples.push(r.latency.p99);
      p99[name]![r.kind] = samples;
      log(
        `${name} round ${round}: ${r.kind} p50 ${r.latency.p50.toFixed(3)} p99 ${r.latency.p99.toFixed(3)} ms, ${r.rows} rows`,
      );
    }
  }
}
for (const kind of Object.keys(p99.before!)) {
  const b = median(p99.before![kind]!);
  const a = median(p99.after![kind]!);
  console.log(
    `${kind}: p99 before ${b.toFixed(3)} ms, after ${a.toFixed(3)} ms, ratio ${(a / b).toFixed(2)}`,
  );
}
for (const s of Object.values(stores)) await s.close();
