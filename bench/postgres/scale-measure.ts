/**
 * Search and inclusion proofs on a large kept PostgreSQL log (filled by scale-fill.ts), at
 * the store and over HTTP (one `evident serve` on that database), for the "PostgreSQL at
 * 10,000,000 entries" section of BENCHMARKS.md:
 *   node --import tsx bench/postgres/scale-measure.ts <schema> <dataDir> [output.md]
 * Same measurements as run-postgres.ts (bench/search.ts, bench/proofs.ts), at whatever size
 * the log has; the time-range queries use the log's own received_at span. Each phase lists
 * the machine's other load, which on a shared machine is most of what moves the figures.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { machineInfo, watchCpu } from '../machine.js';
import { type ProofResult, proofsHttp, proofsStoreLevel } from '../proofs.js';
import { type ReadFloorResult, readFloorHttp } from '../read-floor.js';
import { type SearchResult, searchHttp, searchStoreLevel } from '../search.js';
import { ADMIN_TOKEN, buildServer, spawnServer } from '../server.js';
import { log, ms } from '../stats.js';
import {
  connect,
  DEFAULT_DATABASE_URL,
  schemaBytes,
  watchPostgres,
  withSchema,
} from './pg-target.js';

const [schema, dataDir, output] = process.argv.slice(2);
if (!schema || !dataDir) throw new Error('usage: scale-measure.ts <schema> <dataDir> [output.md]');
const databaseUrl = process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL;
const url = withSchema(databaseUrl, schema);
const seconds = Number(process.env.BENCH_PG_SECONDS || 10);

interface Load {
  seconds: number;
  machineBusy: number;
  postgres: number;
  othersCores: number;
}
const loads: Record<string, Load> = {};
async function phase<T>(name: string, run: () => Promise<T>, pids: Record<string, number> = {}) {
  log(`— ${name}`);
  const start = performance.now();
  const cpu = watchCpu({ bench: process.pid, ...pids });
  const pg = watchPostgres();
  const result = await run();
  const share = cpu();
  const postgres = pg();
  loads[name] = {
    seconds: (performance.now() - start) / 1000,
    machineBusy: share.machineBusy,
    postgres,
    othersCores: Math.max(0, share.othersCores - postgres / 100),
  };
  return result;
}

const sql = await connect(databaseUrl);
const q = (text: string) => sql.query(text).then((r) => r.rows[0]);
const span = await q(
  `SELECT min(received_at_ms)::bigint AS lo, max(received_at_ms)::bigint AS hi FROM "${schema}".entry_leaves`,
);
const startMs = Number(span.lo);
const endMs = Number(span.hi);
// As autovacuum would after a bulk of inserts: planner statistics and the visibility map.
await phase('VACUUM ANALYZE (untimed setup)', async () => {
  // Since migration 13 "entries" is a view (VACUUM skips it with a warning): its two tables.
  for (const table of ['entry_leaves', 'entry_payloads', 'tree_nodes', 'checkpoints']) {
    await sql.query(`VACUUM (ANALYZE) "${schema}".${table}`);
  }
});
const bytes = await schemaBytes(sql, schema);
await sql.end();

const store = await PostgresStore.open(url, { poolSize: 2 });
const size = (await store.head())?.size ?? 0;
log(`log of ${size} entries, ${(bytes / 2 ** 30).toFixed(1)} GiB`);
const searchStore = await phase('search (store)', () => searchStoreLevel(store, startMs, endMs));
const proofsStore = await phase('proofs (store)', () => proofsStoreLevel(store));
await store.close();

const workDir = resolve('.bench-data', `scale-measure-${process.pid}`);
const main = buildServer(join(workDir, 'dist'));
const server = await spawnServer(
  [main, 'serve', '--data', dataDir, '--db', url, '--host', '127.0.0.1', '--port', '0'],
  { EVIDENT_ADMIN_TOKEN: ADMIN_TOKEN, EVIDENT_LOG_LEVEL: 'warn' },
);
const admin = `Bearer ${ADMIN_TOKEN}`;
let http: { floor: ReadFloorResult; search: SearchResult[]; proofs: ProofResult };
try {
  http = await phase(
    'HTTP search + proofs',
    async () => ({
      floor: await readFloorHttp(server.url, admin, seconds / 2),
      search: await searchHttp(server.url, admin, startMs, endMs, seconds / 2),
      proofs: await proofsHttp(server.url, admin, size, seconds),
    }),
    { server: server.pid },
  );
} finally {
  await server.stop();
}

const results = { size, bytes, machine: machineInfo(), searchStore, proofsStore, http, loads };
const markdown = render(results);
if (output) {
  writeFileSync(output, markdown);
  writeFileSync(output.replace(/(\.md)?$/, '.json'), `${JSON.stringify(results, null, 2)}\n`);
}
console.log(markdown);

/** A latency for the tables: the reports' millisecond format, with its unit. */
function msUnit(n: number): string {
  return `${ms(n)} ms`;
}

function loadNote(l: Load | undefined): string {
  if (!l) return '';
  return `machine ${Math.round(l.machineBusy)}% busy, PostgreSQL ${Math.round(l.postgres)}% of a core, other processes ${l.othersCores.toFixed(2)} cores`;
}

function render(r: typeof results): string {
  const out: string[] = [];
  const n = r.size.toLocaleString('en-US');
  out.push(`Log of ${n} entries, ${(r.bytes / 2 ** 30).toFixed(1)} GiB (tables + indexes).\n`);
  out.push(
    `Load: store phases: ${loadNote(r.loads['search (store)'])} (search), ${loadNote(r.loads['proofs (store)'])} (proofs); HTTP phase: ${loadNote(r.loads['HTTP search + proofs'])}.\n`,
  );
  out.push(
    '| Filter | Rows returned | Store p50 | Store p99 | HTTP p50 | HTTP p99 | HTTP requests/s | Worst p99 vs 30 ms |',
  );
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const s of r.searchStore) {
    const h = r.http.search.find((x) => x.kind === s.kind)!;
    const worst = Math.max(s.latency.p99, h.latency.p99);
    out.push(
      `| ${s.kind} | ${Math.round(s.rows)} | ${msUnit(s.latency.p50)} | ${msUnit(s.latency.p99)} | ${msUnit(h.latency.p50)} | ${msUnit(h.latency.p99)} | ${Math.round(h.requestsPerSecond ?? 0)} | ${(worst / 30).toFixed(2)}× ${worst <= 30 ? '✅' : '❌'} |`,
    );
  }
  out.push('');
  out.push('| Inclusion proof | p50 | p99 | Requests/s | p99 vs 5 ms |');
  out.push('| --- | --- | --- | --- | --- |');
  const p = r.proofsStore;
  out.push(
    `| Store (src/log/proofs.ts), ${p.hashes.toFixed(1)} hashes per proof | ${msUnit(p.latency.p50)} | ${msUnit(p.latency.p99)} | ${Math.round(1000 / p.latency.mean)} | ${(p.latency.p99 / 5).toFixed(2)}× ${p.latency.p99 <= 5 ? '✅' : '❌'} |`,
  );
  const h = r.http.proofs;
  out.push(
    `| HTTP GET /api/v1/log/proof/inclusion, one client | ${msUnit(h.latency.p50)} | ${msUnit(h.latency.p99)} | ${Math.round(h.requestsPerSecond ?? 0)} | ${(h.latency.p99 / 5).toFixed(2)}× ${h.latency.p99 <= 5 ? '✅' : '❌'} |`,
  );
  const f = r.http.floor;
  out.push(
    `| (floor) HTTP GET /api/v1/log, an authenticated read with no self-audit append | ${msUnit(f.latency.p50)} | ${msUnit(f.latency.p99)} | ${Math.round(f.requestsPerSecond)} | |`,
  );
  return `${out.join('\n')}\n`;
}
