/**
 * Alerts at scale (the targets of the typed alert tables): 100,000 alerts raised over a
 * quarter, then, through the one AlertService the server uses,
 *   - one page (50) filtered by state and source, p99 over many pages (limit 20 ms);
 *   - an export of every alert streamed as CSV, alerts per second (limit ≥ 20,000/s);
 *   - metrics over the quarter, p99 (limit 200 ms);
 * on SQLite and, when it is reachable, on PostgreSQL. The alerts are written straight into
 * the tables in bulk (their `alert.raise` events are not appended: the measured reads do not
 * need them, and 100,000 appends would only measure the log).
 *   BENCH_ALERT_COUNT     alerts (default 100000)
 *   BENCH_ALERTS_PAGES    pages timed (default 300)
 *   BENCH_PG_URL          PostgreSQL (default postgres://postgres@127.0.0.1:5432/test)
 *   BENCH_POSTGRES=0      SQLite only
 * Alone: node --import tsx bench/alerts.ts (prints the section).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';
import { ulid } from 'ulid';
import { ALL_SOURCES } from '../src/access/authorization/source-scope.js';
import type { SelfAudit } from '../src/log/self-audit.js';
import type { AlertRecord } from '../src/monitor/alerts/alert.js';
import { alertForScope } from '../src/monitor/alerts/alert-scope.js';
import { AlertService } from '../src/monitor/alerts/alert-service.js';
import { ALERT_SEVERITIES, DISPOSITIONS } from '../src/monitor/types.js';
import { alertCsvRow } from '../src/server/presenters/alert.js';
import { quoteIdent } from '../src/store/postgres/connection.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { tables } from '../src/store/sql/query-runner.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import {
  alertColumns,
  alertGroupRows,
  alertSeqRows,
  alertSourceRows,
  historyColumns,
} from '../src/store/tables/alerts/alert-rows.js';
import type { AlertTables } from '../src/store/tables/alerts/alert-tables.js';
import { csvLine } from '../src/util/csv.js';
import { DEFAULT_DATABASE_URL } from './postgres/pg-target.js';
import { type Latency, latency, log, timeEach } from './stats.js';

export const ALERT_TARGETS = { pageP99Ms: 20, exportPerSecond: 20_000, metricsP99Ms: 200 } as const;

export interface AlertStoreResult {
  store: 'sqlite' | 'postgres';
  alerts: number;
  fillSeconds: number;
  /** state=open&source=S, 50 per page, following next_cursor up to 3 pages deep. */
  page: Latency;
  exportSeconds: number;
  exportPerSecond: number;
  exportBytes: number;
  metrics: Latency;
}

export interface AlertBenchResult {
  runs: AlertStoreResult[];
  /** Why PostgreSQL did not run, when it did not. */
  postgresSkipped?: string;
}

const QUARTER_MS = 90 * 24 * 3_600_000;
const SOURCES = Array.from({ length: 20 }, (_, i) => `app-${String(i).padStart(2, '0')}`);
const RULES = Array.from({ length: 30 }, (_, i) => `bench.rule_${i}`);
const START_MS = Date.parse('2026-07-01T00:00:00.000Z');

function envInt(name: string, fallback: number): number {
  const n = Number(process.env[name] || fallback);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

export async function alertsBench(
  dir: string,
  options: { postgres: boolean } = { postgres: true },
): Promise<AlertBenchResult> {
  const count = envInt('BENCH_ALERT_COUNT', 100_000);
  const pages = envInt('BENCH_ALERTS_PAGES', 300);
  const runs: AlertStoreResult[] = [];
  mkdirSync(dir, { recursive: true });
  const sqlite = SqliteStore.open(join(dir, 'alerts.db'));
  try {
    runs.push(await measure('sqlite', sqlite, count, pages));
  } finally {
    await sqlite.close();
  }
  if (!options.postgres) return { runs, postgresSkipped: 'BENCH_POSTGRES=0' };
  const url = process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL;
  const schema = `evident_bench_alerts_${randomBytes(4).toString('hex')}`;
  let pg: PostgresStore;
  try {
    pg = await PostgresStore.open(`${url}${url.includes('?') ? '&' : '?'}schema=${schema}`);
  } catch (error) {
    return { runs, postgresSkipped: (error as Error).message };
  }
  try {
    runs.push(await measure('postgres', pg, count, pages, () => analyze(url, schema)));
  } finally {
    await pg.close();
    await dropSchema(url, schema);
  }
  return { runs };
}

async function measure(
  name: AlertStoreResult['store'],
  store: Store,
  count: number,
  pages: number,
  afterFill?: () => Promise<void>,
): Promise<AlertStoreResult> {
  log(`alerts (${name}): writing ${count} alerts over a quarter`);
  const fillStart = performance.now();
  await fillAlerts(store, count);
  await afterFill?.();
  const fillSeconds = (performance.now() - fillStart) / 1000;
  // Reads only: no step is taken, so no event is appended (SelfAudit is never called).
  const service = new AlertService({ store, audit: undefined as unknown as SelfAudit });

  log(`alerts (${name}): ${pages} pages of state=open&source=…`);
  let cursor: string | undefined;
  let depth = 0;
  const page = latency(
    await timeEach(pages, async (i) => {
      const source = SOURCES[i % SOURCES.length]!;
      const result = await service.page({
        filter: { state: 'open', source },
        scope: ALL_SOURCES,
        limit: 50,
        ...(cursor !== undefined ? { before: cursor } : {}),
      });
      // Follow the cursor a few pages deep, then start over with the next source.
      depth = result.next !== null && depth < 2 ? depth + 1 : 0;
      cursor = depth === 0 ? undefined : (result.next ?? undefined);
    }),
  );

  log(`alerts (${name}): export of every alert as CSV`);
  const exportStart = performance.now();
  const found = await service.exportAll({}, ALL_SOURCES);
  let exported = 0;
  let bytes = 0;
  for await (const chunk of found.pages) {
    const text = chunk.map((a) => csvLine(alertCsvRow(alertForScope(a, ALL_SOURCES)))).join('');
    bytes += Buffer.byteLength(text);
    exported += chunk.length;
  }
  const exportSeconds = (performance.now() - exportStart) / 1000;
  if (exported !== count) throw new Error(`the export streamed ${exported} of ${count} alerts`);

  log(`alerts (${name}): metrics over the quarter`);
  const metrics = latency(
    await timeEach(20, () =>
      service.metrics({ fromMs: START_MS, toMs: START_MS + QUARTER_MS }, ALL_SOURCES),
    ),
  );
  return {
    store: name,
    alerts: count,
    fillSeconds,
    page,
    exportSeconds,
    exportPerSecond: exported / exportSeconds,
    exportBytes: bytes,
    metrics,
  };
}

/** Alerts in bulk, multi-row inserts of 500 per table per transaction. */
export async function fillAlerts(store: Store, count: number): Promise<void> {
  const chunk = 500;
  let seq = 0;
  for (let done = 0; done < count; done += chunk) {
    const alerts: AlertRecord[] = [];
    for (let i = done; i < Math.min(count, done + chunk); i++) {
      alerts.push(benchAlert(i, count, seq));
      seq += 5;
    }
    await store.transaction(async (tx) => {
      const db = tables<AlertTables>(tx);
      const now = Date.now();
      await tx.run(db.insertInto('alerts').values(alerts.map((a) => alertColumns(a, 1, now))));
      await tx.run(db.insertInto('alert_sources').values(alerts.flatMap(alertSourceRows)));
      await tx.run(db.insertInto('alert_seqs').values(alerts.flatMap(alertSeqRows)));
      await tx.run(db.insertInto('alert_groups').values(alerts.flatMap(alertGroupRows)));
      await tx.run(
        db
          .insertInto('alert_history')
          .values(alerts.flatMap((a) => a.history.map((h, step) => historyColumns(a.id, step, h)))),
      );
    });
  }
}

/** Alert i of n: raised evenly over the quarter, 15% open, 25% acknowledged, 60% resolved. */
function benchAlert(i: number, n: number, firstSeq: number): AlertRecord {
  const raisedAtMs = START_MS + Math.floor((i / n) * QUARTER_MS);
  const id = ulid(raisedAtMs);
  const roll = (i * 7919) % 100;
  const state = roll < 15 ? 'open' : roll < 40 ? 'acknowledged' : 'resolved';
  const sources =
    i % 10 === 0
      ? [SOURCES[i % SOURCES.length]!, SOURCES[(i + 7) % SOURCES.length]!].sort()
      : [SOURCES[i % SOURCES.length]!];
  const seqs = [firstSeq, firstSeq + 1, firstSeq + 2, firstSeq + 3, firstSeq + 4];
  const by = {
    kind: 'person' as const,
    id: 'acct-rita',
    name: 'rita',
    credential: 'token' as const,
  };
  const ackAt = raisedAtMs + 60_000 + (i % 600) * 1000;
  const resolvedAt = ackAt + 300_000;
  const disposition = DISPOSITIONS[i % DISPOSITIONS.length]!;
  const history: AlertRecord['history'] = [
    {
      action: 'raise',
      eventId: id,
      seq: null,
      atMs: raisedAtMs,
      by: { kind: 'system', id: 'monitor' },
      from: null,
      to: 'open',
    },
  ];
  if (state !== 'open') {
    history.push({
      action: 'acknowledge',
      eventId: ulid(ackAt),
      seq: null,
      atMs: ackAt,
      by,
      from: 'open',
      to: 'acknowledged',
    });
  }
  if (state === 'resolved') {
    history.push({
      action: 'resolve',
      eventId: ulid(resolvedAt),
      seq: null,
      atMs: resolvedAt,
      by,
      from: 'acknowledged',
      to: 'resolved',
      disposition,
      note: 'checked',
    });
  }
  return {
    id,
    key: `bench:${i}`,
    ruleId: RULES[i % RULES.length]!,
    title: `Bench alert ${i}`,
    description: 'five failed sign-ins within five minutes',
    severity: ALERT_SEVERITIES[i % ALERT_SEVERITIES.length]!,
    seqs,
    seqCount: seqs.length,
    sources,
    ...(sources.length > 1
      ? { seqsBySource: { [sources[0]!]: seqs.slice(0, 3), [sources[1]!]: seqs.slice(3) } }
      : {}),
    group: { 'actor.id': `u-${i % 1000}` },
    triggeredAtMs: raisedAtMs - 1000,
    raisedAtMs,
    state,
    assignee: state === 'open' ? null : 'acct-rita',
    acknowledgedAtMs: state === 'open' ? null : ackAt,
    acknowledgedBy: state === 'open' ? null : 'acct-rita',
    resolvedAtMs: state === 'resolved' ? resolvedAt : null,
    resolution: state === 'resolved' ? { disposition, note: 'checked', by: 'acct-rita' } : null,
    history,
  };
}

/** What autovacuum does after a bulk load: statistics for the planner, the visibility map for index-only scans. */
export async function analyze(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const table of [
      'alerts',
      'alert_sources',
      'alert_seqs',
      'alert_groups',
      'alert_history',
    ]) {
      await client.query(`VACUUM (ANALYZE) ${quoteIdent(schema)}.${table}`);
    }
  } finally {
    await client.end();
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

const ratio = (value: number, limit: number) => (value / limit).toFixed(2);

export function alertsMarkdown(r: AlertBenchResult): string {
  const lines = [
    '## Alerts: list, export and metrics over 100,000 alerts',
    '',
    'Through the AlertService the server uses, on the typed alert tables (`node --import tsx bench/alerts.ts` alone).',
    'A ratio is the figure over its limit: at most 1 for times, at least 1 for the rate.',
    '',
    '| store | alerts | page state+source p99 (limit 20 ms) | export, alerts/s (limit ≥ 20,000) | metrics over a quarter p99 (limit 200 ms) |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const run of r.runs) {
    lines.push(
      `| ${run.store} | ${run.alerts} | ${run.page.p99.toFixed(2)} ms (${ratio(run.page.p99, ALERT_TARGETS.pageP99Ms)}) | ${Math.round(run.exportPerSecond)} (${ratio(run.exportPerSecond, ALERT_TARGETS.exportPerSecond)}) | ${run.metrics.p99.toFixed(1)} ms (${ratio(run.metrics.p99, ALERT_TARGETS.metricsP99Ms)}) |`,
    );
  }
  lines.push('');
  for (const run of r.runs) {
    lines.push(
      `${run.store}: page p50 ${run.page.p50.toFixed(2)} ms over ${run.page.count} pages; export ${run.exportSeconds.toFixed(2)} s, ${(run.exportBytes / 1e6).toFixed(1)} MB of CSV; metrics p50 ${run.metrics.p50.toFixed(1)} ms; writing the alerts took ${run.fillSeconds.toFixed(1)} s.`,
    );
  }
  if (r.postgresSkipped) lines.push('', `PostgreSQL not measured: ${r.postgresSkipped}`);
  return `${lines.join('\n')}\n`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const dir = resolve('.bench-data', `alerts-${process.pid}`);
  try {
    console.log(
      alertsMarkdown(await alertsBench(dir, { postgres: process.env.BENCH_POSTGRES !== '0' })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
