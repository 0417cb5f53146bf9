/**
 * Before/after PostgreSQL ingest in one run: two compiled builds of Evident, in alternating
 * rounds, each run on a log of its own filled to the same size (the rule engine's state, such as
 * suppressed alerts, must not carry from one run to the next), so both see the same machine
 * and the same log. Usage:
 *   node --import tsx bench/postgres/pg-ab.ts <before/src/cli/main.js> <after/src/cli/main.js> [rounds]
 * Each round runs, for each build: arrays of 500 from BENCH_PG_BATCH_CLIENTS clients and then
 * single events from 64 clients, through BENCH_PG_PROCESSES server processes (default 1).
 * Every run checks that each acknowledged event is stored once at its acknowledged seq, and
 * counts the alerts the rule engine raised meanwhile (the default rules run: at night and at
 * weekends the iso27001 pack's off-hours rule fires on the fixtures' restricted targets).
 *   BENCH_PG_ENTRIES   log size filled first (default 20000)
 *   BENCH_PG_SECONDS   seconds per scenario (default 8)
 *   BENCH_PG_URL       database (default postgres://postgres@127.0.0.1:5432/test)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent } from '../../src/store/postgres/connection.js';
import { spawnServer } from '../server.js';
import { log, median } from '../stats.js';
import { fillPostgres } from './pg-fill.js';
import { type PgIngestRun, pgBatchIngest, pgSingleIngest } from './pg-ingest.js';
import { benchSchema, connect, DEFAULT_DATABASE_URL, dropSchema, withSchema } from './pg-target.js';

const [before, after, roundsText] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: bench/postgres/pg-ab.ts <before main.js> <after main.js> [rounds]');
  process.exit(2);
}
const ROUNDS = Number(roundsText ?? 2);
const ENTRIES = Number(process.env.BENCH_PG_ENTRIES ?? 20_000);
const SECONDS = Number(process.env.BENCH_PG_SECONDS ?? 8);
const CLIENTS = Number(process.env.BENCH_PG_BATCH_CLIENTS ?? 8);
const PROCESSES = Number(process.env.BENCH_PG_PROCESSES ?? 1);
const DATABASE = process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL;
const ADMIN_TOKEN = 'pg-ab-admin-token-0123456789abcdef';

type Side = 'before' | 'after';
interface SideRun {
  arrays: PgIngestRun;
  singles: PgIngestRun;
  /** Alerts raised during the arrays run and during the singles run. */
  alerts: [number, number];
}

const work = mkdtempSync(join(tmpdir(), 'evident-pg-ab-'));
let runs = 0;

async function runSide(main: string): Promise<SideRun> {
  const schema = benchSchema('ab');
  const logUrl = withSchema(DATABASE, schema);
  const dataDir = join(work, `keys-${++runs}`);
  const servers = [];
  try {
    log(`filling ${ENTRIES} entries into ${schema}`);
    const authorization = (await fillPostgres(dataDir, logUrl, ENTRIES)).ingestAuthorization;
    for (let i = 0; i < PROCESSES; i++) {
      servers.push(
        await spawnServer(
          [main, 'serve', '--data', dataDir, '--db', logUrl, '--host', '127.0.0.1', '--port', '0'],
          { EVIDENT_ADMIN_TOKEN: ADMIN_TOKEN, EVIDENT_LOG_LEVEL: 'warn' },
        ),
      );
    }
    const ctx = {
      urls: servers.map((s) => s.url),
      serverPids: servers.map((s) => s.pid),
      authorization,
      databaseUrl: logUrl,
      schema,
      seconds: SECONDS,
      batchClients: CLIENTS,
    };
    const arrays = await pgBatchIngest(ctx);
    const afterArrays = total(await alertsByRule(schema));
    const singles = await pgSingleIngest(ctx);
    for (const run of [arrays, singles])
      if (!run.integrity.ok) throw new Error(`integrity failed: ${JSON.stringify(run.integrity)}`);
    const byRule = await alertsByRule(schema);
    const alerts = total(byRule);
    log(
      `  alerts raised: ${afterArrays} in the arrays run, ${alerts - afterArrays} in the singles run (${byRule.map((r) => `${r.rule} ${r.count}`).join(', ')})`,
    );
    return { arrays, singles, alerts: [afterArrays, alerts - afterArrays] };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await dropSchema(DATABASE, schema);
  }
}

/** The alerts stored so far, by the rule that raised them, most first. */
async function alertsByRule(schema: string): Promise<{ rule: string; count: number }[]> {
  const client = await connect(DATABASE);
  try {
    const { rows } = await client.query<{ rule_id: string; n: string }>(
      `SELECT rule_id, count(*) AS n FROM ${quoteIdent(schema)}.alerts GROUP BY rule_id ORDER BY 2 DESC`,
    );
    return rows.map((r) => ({ rule: r.rule_id, count: Number(r.n) }));
  } finally {
    await client.end();
  }
}

const total = (byRule: readonly { count: number }[]) => byRule.reduce((n, r) => n + r.count, 0);

try {
  const runs: Record<Side, SideRun[]> = { before: [], after: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which build goes first, so neither always meets the fresher machine.
    const order: Side[] = round % 2 === 0 ? ['before', 'after'] : ['after', 'before'];
    for (const side of order) {
      log(`round ${round + 1}/${ROUNDS}: ${side}`);
      runs[side].push(await runSide(side === 'before' ? before : after));
    }
  }
  const figures: [string, (r: SideRun) => number][] = [
    ['arrays, events/s', (r) => r.arrays.eventsPerSecond],
    ['arrays p99, ms', (r) => r.arrays.latency.p99],
    ['single events, requests/s', (r) => r.singles.requestsPerSecond],
    ['single events p99, ms', (r) => r.singles.latency.p99],
    ['alerts raised during the arrays', (r) => r.alerts[0]],
    ['alerts raised during the single events', (r) => r.alerts[1]],
  ];
  console.log(
    `\n${PROCESSES} process(es), ${CLIENTS} array clients, ${SECONDS} s per scenario, each log filled to ${ENTRIES} first\n`,
  );
  console.log('| figure | before (rounds) | after (rounds) | after / before (medians) |');
  console.log('| --- | --- | --- | --- |');
  for (const [name, of] of figures) {
    const b = runs.before.map(of);
    const a = runs.after.map(of);
    const show = (v: number[]) =>
      v.map((x) => (x >= 100 ? Math.round(x) : x.toFixed(1))).join(' / ');
    console.log(`| ${name} | ${show(b)} | ${show(a)} | ${(median(a) / median(b)).toFixed(2)} |`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
