/**
 * Search before and after migration 13 on the same data, in one run:
 *
 *   EVIDENT_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/test \
 *     node --import tsx bench/postgres/partitioned-search.ts [entries=1000000] [rounds=200]
 *
 * Fills a fresh schema (synthetic-payloads.ts: 12 months, 5,000 actors, 20,000 targets), then
 * copies the view into "entries_flat": one plain table with the indexes migration 1 and 3
 * gave entries (the layout before migration 13). Each search shape of the API (limit 100,
 * newest first, built by the store's own searchSql) runs `rounds` times against each,
 * alternating, so both see the same load. Prints p50/p99 per shape and layout as JSON.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { searchSql } from '../../src/store/search-sql.js';
import type { EntryFilter } from '../../src/store/store.js';
import { fillSyntheticPayloads, monthStart } from './synthetic-payloads.js';

const URL = process.env.EVIDENT_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TOTAL = Number(process.argv[2] ?? 1_000_000);
const ROUNDS = Number(process.argv[3] ?? 200);
const MONTHS = 12;
const COLUMNS = 'seq, id, source, leaf_hash, record, time_ms, received_at_ms';

const SHAPES: Record<string, EntryFilter> = {
  newest: { limit: 100 },
  actor: { actor: 'u-1234', limit: 100 },
  target: { target: 'c-4321', limit: 100 },
  action: { action: 'customer.read', limit: 100 },
  source: { source: 'hr', limit: 100 },
  actorByTime: { actor: 'u-1234', order: 'time', limit: 100 },
  oneDay: { timeFromMs: monthStart(6), timeToMs: monthStart(6) + 86_400_000, limit: 100 },
};

async function main(): Promise<void> {
  const schema = `evident_bench_psearch_${Date.now()}`;
  const s = quoteIdent(schema);
  const store = await PostgresStore.open(`${URL}?schema=${schema}`);
  const sql = new Client({ connectionString: URL });
  await sql.connect();
  const loadBefore = loadavg();
  try {
    await fillSyntheticPayloads(sql, schema, Math.floor(TOTAL / MONTHS), MONTHS);
    await sql.query(`CREATE TABLE ${s}.entries_flat AS SELECT seq, id, source, actor_id, action, target_type, target_id,
      outcome, time_ms, received_at_ms, record, leaf_hash FROM ${s}.entries`);
    for (const ddl of ['ADD PRIMARY KEY (seq)', 'ADD UNIQUE (id)'])
      await sql.query(`ALTER TABLE ${s}.entries_flat ${ddl}`);
    for (const cols of [
      'actor_id, seq',
      'target_id, seq',
      'action, seq',
      'source, seq',
      'received_at_ms, seq',
      'time_ms, seq',
      'actor_id, time_ms, seq',
    ])
      await sql.query(`CREATE INDEX ON ${s}.entries_flat (${cols})`);
    await sql.query(
      `ANALYZE ${s}.entries_flat; ANALYZE ${s}.entry_leaves; ANALYZE ${s}.entry_payloads`,
    );
    const dialect = {
      param: (n: number) => `$${n}`,
      actorName: "(record::jsonb #>> '{actor,name}')",
      ipIn: (p: string) =>
        `${s}.evident_inet(record::jsonb #>> '{actor,ip}') <<= network(${p}::inet)`,
      never: 'FALSE',
    };
    const out: Record<string, unknown> = { entries: TOTAL, rounds: ROUNDS };
    for (const [name, filter] of Object.entries(SHAPES)) {
      const layouts = {
        flat: searchSql(filter, COLUMNS, `${s}.entries_flat`, dialect),
        partitioned: searchSql(filter, COLUMNS, `${s}.entries`, dialect),
      };
      const times: Record<string, number[]> = { flat: [], partitioned: [] };
      const rows: Record<string, number> = {};
      for (let r = 0; r < ROUNDS; r++) {
        for (const [layout, q] of Object.entries(layouts)) {
          const t = performance.now();
          const res = await sql.query(q.text, q.values);
          times[layout]!.push(performance.now() - t);
          rows[layout] = res.rowCount ?? 0;
        }
      }
      const stat = (xs: number[]) => {
        const sorted = [...xs].sort((a, b) => a - b);
        const at = (p: number) =>
          sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
        return { p50Ms: +at(0.5).toFixed(2), p99Ms: +at(0.99).toFixed(2) };
      };
      out[name] = {
        rows,
        flat: stat(times.flat!),
        partitioned: stat(times.partitioned!),
      };
      console.error(name, JSON.stringify(out[name]));
    }
    out.load = { before: loadBefore, after: loadavg() };
    console.log(JSON.stringify(out, null, 2));
  } finally {
    await store.close();
    if (process.env.EVIDENT_BENCH_KEEP !== '1') await sql.query(`DROP SCHEMA ${s} CASCADE`);
    await sql.end();
  }
}

await main();
