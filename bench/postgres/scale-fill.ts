/**
 * One-off fill of a large PostgreSQL log for the "at 10,000,000 entries" figures (not CI):
 *   node --import tsx bench/postgres/scale-fill.ts <schema> <entries> <dataDir>
 * Appends through the real path (openLog → Sequencer.append, appends of FILL_BATCH, two in
 * flight, as bench/postgres/pg-fill.ts) into a schema that is kept; the log key stays in
 * dataDir for the servers of scale-measure.ts. Every group commits with its signed
 * checkpoint, so a fill stopped at any moment is a whole log: run again, it resumes where the
 * log stands (the history is regenerated up to there and discarded, so ids stay unique and
 * simulated time keeps moving forward), and scale-measure.ts can measure whatever it reached.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLog } from '../../src/log/open-log.js';
import { BENCH_ORIGIN, FILL_BATCH } from '../fill.js';
import { HISTORY_SOURCES, LogHistory } from '../log-history.js';
import { log } from '../stats.js';
import { connect, DEFAULT_DATABASE_URL, withSchema } from './pg-target.js';

const [schema, entriesText, dataDir] = process.argv.slice(2);
const total = Number(entriesText);
if (!schema || !dataDir || !Number.isSafeInteger(total) || total < 1) {
  throw new Error('usage: scale-fill.ts <schema> <entries> <dataDir>');
}
const databaseUrl = process.env.BENCH_PG_URL || DEFAULT_DATABASE_URL;
const url = withSchema(databaseUrl, schema);

// The history's real "now" is fixed at the first run, so a resumed fill continues its month.
const anchorFile = join(dataDir, 'history-now.json');
const realNowMs: number = existsSync(anchorFile)
  ? JSON.parse(readFileSync(anchorFile, 'utf8')).realNowMs
  : Date.now();
writeFileSync(anchorFile, `${JSON.stringify({ realNowMs })}\n`);

/** History events already in the log (the fill's sources; the key's own event is not one). */
async function historyEventsStored(): Promise<number> {
  const client = await connect(databaseUrl);
  try {
    const exists = await client.query('SELECT to_regclass($1) AS t', [`"${schema}".entries`]);
    if (exists.rows[0].t === null) return 0;
    const { rows } = await client.query(
      `SELECT count(*)::bigint AS n FROM "${schema}".entries WHERE source = ANY($1::text[])`,
      [HISTORY_SOURCES],
    );
    return Number(rows[0].n);
  } finally {
    await client.end();
  }
}

const history = new LogHistory(total, realNowMs);
let queued = await historyEventsStored();
for (let skipped = 0; skipped < queued; ) {
  const count = Math.min(FILL_BATCH, queued - skipped);
  history.next(count, HISTORY_SOURCES[0]!);
  skipped += count;
}
log(`fill of ${schema}: ${queued} history events stored, filling to ${total}`);
const opened = await openLog({ dataDir, databaseUrl: url, origin: BENCH_ORIGIN, clock: history });
const startedWith = queued;
let done = queued;
let appends = Math.floor(queued / FILL_BATCH);
const start = performance.now();
let lastLog = start;
const inflight: Promise<void>[] = [];
try {
  while (queued < total) {
    const count = Math.min(FILL_BATCH, total - queued);
    const source = HISTORY_SOURCES[appends++ % HISTORY_SOURCES.length]!;
    const records = history.next(count, source);
    queued += count;
    inflight.push(
      opened.sequencer.append(records, source).then((result) => {
        if (result.entries.length !== count) throw new Error('fill: append lost events');
        done += count;
        if (performance.now() - lastLog > 15_000) {
          lastLog = performance.now();
          const rate = (done - startedWith) / ((lastLog - start) / 1000);
          log(`fill: ${done} entries, ${Math.round(rate)} events/s`);
        }
      }),
    );
    if (inflight.length >= 2) await inflight.shift();
  }
  await Promise.all(inflight);
} finally {
  await opened.close();
}
const seconds = (performance.now() - start) / 1000;
const result = {
  entries: done,
  thisRun: done - startedWith,
  seconds,
  eventsPerSecond: (done - startedWith) / seconds,
};
writeFileSync(join(dataDir, `fill-${Date.now()}.json`), `${JSON.stringify(result, null, 2)}\n`);
log(`fill done: ${done} entries; this run ${Math.round(result.eventsPerSecond)} events/s`);
