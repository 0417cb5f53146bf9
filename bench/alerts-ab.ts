/**
 * The alert reads of migration 15, before and after, on the same 100,000 alerts and in the
 * same run (interleaved query by query, so both sides see the same machine load):
 *   - the first page (50) of state=open and one source, the 20 sources in turn (5 of
 *     them have no open alert of their own, only as an alert's second source, so the old walk
 *     passes every open alert): before, an `alerts` index walk probing
 *     `alert_sources` per alert (EXISTS); after, a walk of `alert_sources (source, state,
 *     alert_id)` joined to the alerts it keeps;
 *   - (SQLite) metrics over the quarter: before, the range of `alerts_response` then a sort
 *     of every row for GROUP BY (forced with INDEXED BY); after, the planner's choice with
 *     migration 15's `alerts_metrics` index and its statistics row (a skip-scan, no sort);
 *     20 queries a side, so its p99 is the slowest of them.
 * Only the SQL is timed (the alerts' histories, read the same way by both, are left out),
 * on a raw connection configured as the store's reader (better-sqlite3, or one pg client).
 *   BENCH_ALERT_COUNT  alerts (default 100000)   BENCH_AB_ROUNDS  queries per side (default 300)
 *   BENCH_POSTGRES=0   SQLite only                BENCH_PG_URL     PostgreSQL
 * Alone: node --import tsx bench/alerts-ab.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import type { Kysely } from 'kysely';
import { Client } from 'pg';
import { ALL_SOURCES } from '../src/access/authorization/source-scope.js';
import type { AlertFilter } from '../src/monitor/alerts/alert-filter.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { type Dialect, queryBuilder } from '../src/store/sql/query-runner.js';
import { configure } from '../src/store/sqlite/connection.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { AlertTables } from '../src/store/tables/alerts/alert-tables.js';
import { alertWhere } from '../src/store/tables/alerts/alert-where.js';
import { alertTallies } from '../src/store/tables/alerts/alerts-table.js';
import { analyze, dropSchema, fillAlerts } from './alerts.js';
import { DEFAULT_DATABASE_URL } from './postgres/pg-target.js';
import { latency, log } from './stats.js';

const COUNT = Number(process.env.BENCH_ALERT_COUNT || 100_000);
const ROUNDS = Number(process.env.BENCH_AB_ROUNDS || 300);
const SOURCES = Array.from({ length: 20 }, (_, i) => `app-${String(i).padStart(2, '0')}`);
const START_MS = Date.parse('2026-07-01T00:00:00.000Z');
const QUARTER_FILTER: AlertFilter = { fromMs: START_MS, toMs: START_MS + 90 * 86_400_000 };

interface Compiled {
  sql: string;
  parameters: readonly unknown[];
}

/** The page query before migration 15 (alertPage's generic form) and after it (by source). */
function pageQueries(dialect: Dialect, schema: string | undefined, source: string) {
  const db = queryBuilder(dialect, schema) as Kysely<AlertTables>;
  const filter: AlertFilter = { state: 'open', source };
  const before = db
    .selectFrom('alerts as a')
    .selectAll('a')
    .where(alertWhere(db, filter, ALL_SOURCES))
    .orderBy('a.id', 'desc')
    .limit(51)
    .compile();
  const after = db
    .selectFrom('alert_sources as s')
    .crossJoin('alerts as a')
    .selectAll('a')
    .whereRef('a.id', '=', 's.alert_id')
    .where('s.source', '=', source)
    .where(alertWhere(db, filter, ALL_SOURCES, { sourceJoined: true }))
    .where('s.state', '=', 'open')
    .orderBy('s.alert_id', 'desc')
    .limit(51)
    .compile();
  return { before, after };
}

async function metricsQuery(dialect: Dialect): Promise<Compiled> {
  let captured: Compiled | undefined;
  const runner = {
    dialect,
    db: queryBuilder(dialect),
    all: async (q: { compile(): Compiled }) => {
      captured = q.compile();
      return [];
    },
  };
  await alertTallies(runner as never, QUARTER_FILTER, ALL_SOURCES);
  return captured!;
}

type Run = (q: Compiled) => Promise<unknown> | unknown;

/** Interleaved: before then after, after then before, … ; milliseconds per query. */
async function interleave(
  rounds: number,
  pick: (i: number) => { before: Compiled; after: Compiled },
  run: Run,
) {
  const t = { before: [] as number[], after: [] as number[] };
  for (let i = 0; i < rounds; i++) {
    const q = pick(i);
    for (const side of i % 2 === 0
      ? (['before', 'after'] as const)
      : (['after', 'before'] as const)) {
      const start = performance.now();
      await run(q[side]);
      t[side].push(performance.now() - start);
    }
  }
  return { before: latency(t.before), after: latency(t.after) };
}

function line(name: string, r: Awaited<ReturnType<typeof interleave>>, limitMs: number): string {
  const f = (x: number) => x.toFixed(2);
  return `| ${name} | ${f(r.before.p50)} / ${f(r.before.p99)} ms (${f(r.before.p99 / limitMs)}) | ${f(r.after.p50)} / ${f(r.after.p99)} ms (${f(r.after.p99 / limitMs)}) | ${f(r.after.p99 / r.before.p99)} |`;
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const dir = resolve('.bench-data', `alerts-ab-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  try {
    const file = join(dir, 'alerts.db');
    const store = SqliteStore.open(file);
    log(`alerts A/B (sqlite): writing ${COUNT} alerts`);
    await fillAlerts(store, COUNT);
    await store.close();
    const raw = new Database(file, { readonly: true });
    configure(raw, 64 * 1024, true);
    const statements = new Map<string, Database.Statement>();
    const run: Run = (q) => {
      let s = statements.get(q.sql);
      if (!s) {
        s = raw.prepare(q.sql);
        statements.set(q.sql, s);
      }
      return s.all(...(q.parameters as unknown[]));
    };
    const pages = SOURCES.map((s) => pageQueries('sqlite', undefined, s));
    log('alerts A/B (sqlite): pages');
    lines.push(
      line(
        'sqlite: page state=open + source',
        await interleave(ROUNDS, (i) => pages[i % pages.length]!, run),
        20,
      ),
    );
    const after = await metricsQuery('sqlite');
    const before = {
      ...after,
      sql: after.sql.replace(
        'from "alerts" as "a"',
        'from "alerts" as "a" INDEXED BY alerts_response',
      ),
    };
    log('alerts A/B (sqlite): metrics');
    lines.push(
      line(
        'sqlite: metrics over the quarter',
        await interleave(20, () => ({ before, after }), run),
        200,
      ),
    );
    raw.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (process.env.BENCH_POSTGRES !== '0') {
    const url = process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL;
    const schema = `evident_bench_alerts_ab_${randomBytes(4).toString('hex')}`;
    const pg = await PostgresStore.open(`${url}${url.includes('?') ? '&' : '?'}schema=${schema}`);
    try {
      log(`alerts A/B (postgres): writing ${COUNT} alerts`);
      await fillAlerts(pg, COUNT);
      await analyze(url, schema);
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        const run: Run = (q) => client.query(q.sql, q.parameters as unknown[]);
        const pages = SOURCES.map((s) => pageQueries('postgres', schema, s));
        log('alerts A/B (postgres): pages');
        lines.push(
          line(
            'postgres: page state=open + source',
            await interleave(ROUNDS, (i) => pages[i % pages.length]!, run),
            20,
          ),
        );
      } finally {
        await client.end();
      }
    } finally {
      await pg.close();
      await dropSchema(url, schema);
    }
  }
  console.log(
    [
      '| query | before p50 / p99 (p99 / limit) | after p50 / p99 (p99 / limit) | after / before (p99) |',
      '| --- | ---: | ---: | ---: |',
      ...lines,
    ].join('\n'),
  );
}

await main();
