/**
 * Fills a PostgreSQL log through the real append path (openLog with databaseUrl →
 * Sequencer.append, in-process, appends of FILL_BATCH), so entries, tree nodes and signed
 * checkpoints are exactly what a server writes. The same history as bench/fill.ts (LogHistory:
 * a month of simulated server time), two appends in flight.
 */
import { mkdirSync } from 'node:fs';
import { createIngestKey } from '../../src/access/credentials/ingest-keys.js';
import { openLog } from '../../src/log/open-log.js';
import { BENCH_ORIGIN, BENCH_SOURCE, FILL_BATCH } from '../fill.js';
import { HISTORY_SOURCES, LogHistory } from '../log-history.js';
import { cpuTime, log } from '../stats.js';
import { connect, walBytes } from './pg-target.js';

export interface PgFillResult {
  entries: number;
  batchEvents: number;
  /** Wall time of the whole fill, including generating the events in this process. */
  seconds: number;
  /** CPU time of this process (all threads) during the fill. */
  cpuSeconds: number;
  eventsPerSecond: number;
  /** Rate over the last fifth (the largest tables and indexes). */
  tailEventsPerSecond: number;
  generateSeconds: number;
  batchMs: { mean: number; max: number };
  /** WAL the server wrote per event (entries, tree nodes, checkpoints, full-page images). */
  walBytesPerEvent: number;
  /** Time span of received_at in the history (for time-range searches). */
  startMs: number;
  endMs: number;
}

export interface PgFilled extends PgFillResult {
  /** An ingest key for the HTTP scenarios: `Bearer …`. */
  ingestAuthorization: string;
}

/** `databaseUrl` carries `?schema=`; `dataDir` holds the log key the servers will share. */
export async function fillPostgres(
  dataDir: string,
  databaseUrl: string,
  total: number,
): Promise<PgFilled> {
  const history = new LogHistory(total);
  mkdirSync(dataDir, { recursive: true });
  const opened = await openLog({ dataDir, databaseUrl, origin: BENCH_ORIGIN, clock: history });
  const key = await createIngestKey(opened.store, history, BENCH_SOURCE, 'benchmarks');
  const probe = await connect(databaseUrl);
  const wal = await walBytes(probe);
  let queued = 0;
  let done = 0;
  let generateMs = 0;
  let tailStart = 0;
  let tailFrom = 0;
  let appendTotal = 0;
  let maxAppend = 0;
  let appends = 0;
  const inflight: Promise<void>[] = [];
  const cpu = process.cpuUsage();
  const start = performance.now();
  let lastLog = start;
  try {
    while (queued < total) {
      const count = Math.min(FILL_BATCH, total - queued);
      const source = HISTORY_SOURCES[appends++ % HISTORY_SOURCES.length]!;
      const g = performance.now();
      const records = history.next(count, source);
      generateMs += performance.now() - g;
      queued += count;
      const sent = performance.now();
      inflight.push(
        opened.sequencer.append(records, source).then((result) => {
          if (result.entries.length !== count) throw new Error('fill: append lost events');
          const ms = performance.now() - sent;
          appendTotal += ms;
          maxAppend = Math.max(maxAppend, ms);
          done += count;
          if (tailStart === 0 && done >= total * 0.8) {
            tailStart = performance.now();
            tailFrom = done;
          }
          if (performance.now() - lastLog > 15_000) {
            lastLog = performance.now();
            log(`fill: ${done} entries, ${Math.round(done / ((lastLog - start) / 1000))} events/s`);
          }
        }),
      );
      if (inflight.length >= 2) await inflight.shift();
    }
    await Promise.all(inflight);
  } finally {
    await opened.close();
  }
  const end = performance.now();
  const walWritten = (await walBytes(probe)) - wal;
  await probe.end();
  const tailEvents = total - tailFrom;
  return {
    entries: total,
    batchEvents: FILL_BATCH,
    seconds: (end - start) / 1000,
    cpuSeconds: cpuTime(cpu) / 1e6,
    eventsPerSecond: total / ((end - start) / 1000),
    tailEventsPerSecond: tailEvents > 0 ? tailEvents / ((end - tailStart) / 1000) : Number.NaN,
    generateSeconds: generateMs / 1000,
    batchMs: { mean: appendTotal / appends, max: maxAppend },
    walBytesPerEvent: walWritten / total,
    startMs: history.startMs,
    endMs: history.endMs,
    ingestAuthorization: `Bearer ${key.key}`,
  };
}
