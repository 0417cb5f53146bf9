/**
 * Where a PostgreSQL group commit spends its time: appends groups of GROUP events through the
 * real path (openLog → Sequencer.append, one at a time) into a fresh schema, timing every
 * statement the store sends (pg's Client.query, wrapped) by phase, and the append
 * transaction from BEGIN to the end of COMMIT; what is left is the server's own work while
 * it holds the lock ("idle in transaction"). Round trips are counted per group.
 *   node --import tsx bench/postgres/append-phases.ts [groups] [groupEvents]
 * BENCH_DROP_INDEXES=name,name drops those indexes of the fresh schema before the run, to
 * price each index on the append path (backendCpuUsPerEvent is PostgreSQL's CPU per event).
 * Run from two checkouts in turn to compare append paths (A/B, same machine, same load).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openLog } from '../../src/log/open-log.js';
import { BENCH_ORIGIN } from '../fill.js';
import { HISTORY_SOURCES, LogHistory } from '../log-history.js';
import {
  benchSchema,
  DEFAULT_DATABASE_URL,
  dropSchema,
  watchPostgres,
  withSchema,
} from './pg-target.js';

const groups = Number(process.argv[2] ?? 40);
const groupEvents = Number(process.argv[3] ?? 1300);
const databaseUrl = process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL;

function phaseOf(text: string): string {
  if (text.startsWith('BEGIN')) return 'BEGIN + advisory lock';
  if (text.startsWith('COMMIT')) return 'COMMIT (WAL flush)';
  if (/^SELECT size, root_hash/.test(text.trim())) return 'head';
  if (text.includes('= ANY($1::text[])')) return 'ids check (before the lock)';
  if (/^COPY \S+\.entry_leaves/.test(text)) return 'COPY entry_leaves';
  if (/^COPY \S+\.entry_payloads/.test(text)) return 'COPY entry_payloads';
  if (/^COPY \S+\.entries/.test(text)) return 'COPY entries';
  if (text.includes('evident_payload_month')) return 'payload months';
  if (/^COPY \S+\.tree_nodes/.test(text)) return 'COPY tree nodes';
  if (/^INSERT INTO \S+\.checkpoints/.test(text)) return 'INSERT checkpoint';
  if (text.includes('json_to_recordset')) return 'INSERT entries + nodes + checkpoint (json)';
  if (text.includes('unnest($1::int[]')) return 'node reads';
  return `other: ${text.trim().slice(0, 40)}`;
}

/** PostgreSQL backend pids this process has sent a statement to. */
const backends = new Set<number>();
// USER_HZ: 100 on Linux (sysconf(_SC_CLK_TCK)), the unit of /proc/<pid>/stat times.
const TICKS_PER_SECOND = 100;
function backendTicks(): number {
  let ticks = 0;
  for (const pid of backends) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

const times = new Map<string, { n: number; ms: number }>();
let inTx = 0;
let txStart = 0;
let txMs = 0;
let roundTrips = 0;
const add = (phase: string, ms: number) => {
  const t = times.get(phase) ?? { n: 0, ms: 0 };
  t.n++;
  t.ms += ms;
  times.set(phase, t);
};
const original = pg.Client.prototype.query;
// biome-ignore lint/suspicious/noExplicitAny: wrapping pg's overloaded query()
(pg.Client.prototype as any).query = function (this: pg.Client, ...args: any[]) {
  const pid = (this as unknown as { processID?: number }).processID;
  if (pid) backends.add(pid);
  const first = args[0];
  const text: string = typeof first === 'string' ? first : (first?.text ?? '');
  const phase = phaseOf(text);
  const start = performance.now();
  if (phase === 'BEGIN + advisory lock') {
    inTx++;
    txStart = start;
  }
  if (inTx > 0) roundTrips++;
  const done = () => {
    const end = performance.now();
    add(phase, end - start);
    if (phase === 'COMMIT (WAL flush)') {
      inTx--;
      txMs += end - txStart;
    }
  };
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const result = (original as any).apply(this, args);
  if (result && typeof result.then === 'function') result.then(done, done);
  else if (result && typeof result.on === 'function') result.on('finish', done);
  return result;
};

const schema = benchSchema('phases');
const dataDir = mkdtempSync(join(tmpdir(), 'evident-phases-'));
const history = new LogHistory(groups * groupEvents);
const opened = await openLog({
  dataDir,
  databaseUrl: withSchema(databaseUrl, schema),
  origin: BENCH_ORIGIN,
  clock: history,
});
const dropIndexes = (process.env.BENCH_DROP_INDEXES ?? '').split(',').filter(Boolean);
if (dropIndexes.length > 0) {
  const sql = new pg.Client({ connectionString: databaseUrl });
  await sql.connect();
  for (const name of dropIndexes) {
    const qualified = `"${schema}"."${name}"`;
    // A unique index backs a constraint: drop the constraint of that name instead.
    const { rows } = await sql.query(
      `SELECT conrelid::regclass::text AS tbl FROM pg_constraint WHERE conname = $1
         AND connamespace = $2::regnamespace`,
      [name, schema],
    );
    if (rows[0]) await sql.query(`ALTER TABLE ${rows[0].tbl} DROP CONSTRAINT "${name}"`);
    else await sql.query(`DROP INDEX ${qualified}`);
  }
  await sql.end();
}
try {
  // Warm-up group, not counted.
  await opened.sequencer.append(history.next(groupEvents, 'crm'), 'crm');
  times.clear();
  txMs = 0;
  roundTrips = 0;
  const postgresCpu = watchPostgres();
  const backendTicksBefore = backendTicks();
  const cpuBefore = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < groups; i++) {
    const source = HISTORY_SOURCES[i % HISTORY_SOURCES.length]!;
    await opened.sequencer.append(history.next(groupEvents, source), source);
  }
  const wall = performance.now() - start;
  const cpu = process.cpuUsage(cpuBefore);
  // PostgreSQL's share is in percent of one core over the phase (all its processes).
  const postgresCpuMs = (postgresCpu() / 100) * wall;
  const backendCpuMs = ((backendTicks() - backendTicksBefore) * 1000) / TICKS_PER_SECOND;
  const events = groups * groupEvents;
  const rows = [...times.entries()].map(([phase, t]) => ({
    phase,
    perGroup: t.n / groups,
    msPerGroup: t.ms / groups,
  }));
  const statements = rows
    .filter((r) => !r.phase.startsWith('ids'))
    .reduce((s, r) => s + r.msPerGroup, 0);
  console.log(
    JSON.stringify(
      {
        groups,
        groupEvents,
        eventsPerSecond: events / (wall / 1000),
        benchCpuUsPerEvent: ((cpu.user + cpu.system) / events).toFixed(1),
        // The backends this process talked to, alone (other sessions' work excluded).
        backendCpuUsPerEvent: ((backendCpuMs * 1000) / events).toFixed(1),
        postgresCpuUsPerEvent: ((postgresCpuMs * 1000) / events).toFixed(1),
        droppedIndexes: dropIndexes,
        loadAverage: (await import('node:os'))
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' '),
        transactionMsPerGroup: txMs / groups,
        roundTripsInTransactionPerGroup: roundTrips / groups,
        serverWorkInTransactionMsPerGroup: txMs / groups - statements,
        phases: rows,
      },
      null,
      2,
    ),
  );
} finally {
  await opened.close();
  await dropSchema(databaseUrl, schema);
  rmSync(dataDir, { recursive: true, force: true });
}
