/**
 * Where a PostgreSQL group commit spends its time: appends groups of GROUP events through the
 * real path (openLog → Sequencer.append, one at a time) into a fresh schema, timing every
 * statement the store sends (pg's Client.query, wrapped) by phase, and the append
 * transaction from BEGIN to the end of COMMIT; what is left is the server's own work while
 * it holds the lock ("idle in transaction"). Round trips are counted per group.
 *   node --import tsx bench/postgres/append-phases.ts [groups] [groupEvents]
 * Run from two checkouts in turn to compare append paths (A/B, same machine, same load).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openLog } from '../../src/log/open-log.js';
import { BENCH_ORIGIN } from '../fill.js';
import { HISTORY_SOURCES, LogHistory } from '../log-history.js';
import { benchSchema, DEFAULT_DATABASE_URL, dropSchema, withSchema } from './pg-target.js';

const groups = Number(process.argv[2] ?? 40);
const groupEvents = Number(process.argv[3] ?? 1300);
const databaseUrl = process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL;

function phaseOf(text: string): string {
  if (text.startsWith('BEGIN')) return 'BEGIN + advisory lock';
  if (text.startsWith('COMMIT')) return 'COMMIT (WAL flush)';
  if (/^SELECT size, root_hash/.test(text.trim())) return 'head';
  if (text.includes('= ANY($1::text[])')) return 'ids check (before the lock)';
  if (/^COPY \S+\.entries/.test(text)) return 'COPY entries';
  if (/^COPY \S+\.tree_nodes/.test(text)) return 'COPY tree nodes';
  if (/^INSERT INTO \S+\.checkpoints/.test(text)) return 'INSERT checkpoint';
  if (text.includes('json_to_recordset')) return 'INSERT entries + nodes + checkpoint (json)';
  if (text.includes('unnest($1::int[]')) return 'node reads';
  return `other: ${text.trim().slice(0, 40)}`;
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
try {
  // Warm-up group, not counted.
  await opened.sequencer.append(history.next(groupEvents, 'crm'), 'crm');
  times.clear();
  txMs = 0;
  roundTrips = 0;
  const start = performance.now();
  for (let i = 0; i < groups; i++) {
    const source = HISTORY_SOURCES[i % HISTORY_SOURCES.length]!;
    await opened.sequencer.append(history.next(groupEvents, source), source);
  }
  const wall = performance.now() - start;
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
        eventsPerSecond: (groups * groupEvents) / (wall / 1000),
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
