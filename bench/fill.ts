/**
 * Fills a log through the real append path: openLog → Sequencer.append, in-process, in
 * large batches, so entries, tree nodes and signed checkpoints are what a server writes.
 * Timed end to end; generating the events (in this process) is measured and reported apart.
 */
import { mkdirSync } from 'node:fs';
import { createIngestKey } from '../src/access/credentials/ingest-keys.js';
import { openLog } from '../src/log/open-log.js';
import { HISTORY_SOURCES, LogHistory } from './log-history.js';
import { writtenBytes } from './machine.js';
import { cpuTime, log } from './stats.js';

export const FILL_BATCH = 10_000;
export const BENCH_ORIGIN = 'bench.evident.local/log';
export const BENCH_SOURCE = 'bench-api';

export interface FillResult {
  entries: number;
  batchEvents: number;
  /** Wall time of the whole fill, including generating the events in this process. */
  seconds: number;
  /** CPU time of this process (all threads) during the fill. */
  cpuSeconds: number;
  /** Bytes written to storage per event (WAL + checkpoints). */
  writtenBytesPerEvent: number;
  eventsPerSecond: number;
  tailEventsPerSecond: number;
  generateSeconds: number;
  batchMs: { mean: number; max: number };
  /** Time span of received_at in the history (for time-range searches). */
  startMs: number;
  endMs: number;
  /** An ingest key for the HTTP scenarios: `Bearer …`. */
  ingestAuthorization: string;
}

export async function fill(dataDir: string, total: number): Promise<FillResult> {
  const history = new LogHistory(total);
  mkdirSync(dataDir, { recursive: true });
  const opened = await openLog({ dataDir, origin: BENCH_ORIGIN, clock: history });
  const key = await createIngestKey(opened.store, history, BENCH_SOURCE, 'benchmarks');
  let queued = 0;
  let done = 0;
  let generateMs = 0;
  let tailStart = 0;
  let tailFrom = 0;
  let appendTotal = 0;
  let maxAppend = 0;
  let appends = 0;
  // Two appends in flight: the next batch is generated and prepared while one commits, as
  // concurrent clients would keep the sequencer busy.
  const inflight: Promise<void>[] = [];
  const cpu = process.cpuUsage();
  const bytes = writtenBytes();
  const start = performance.now();
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
          if (appends % 10 === 0)
            log(
              `fill: ${done} entries, ${Math.round(done / ((performance.now() - start) / 1000))} events/s`,
            );
        }),
      );
      if (inflight.length >= 2) await inflight.shift();
    }
    await Promise.all(inflight);
  } finally {
    await opened.close();
  }
  const end = performance.now();
  const tailEvents = total - tailFrom;
  return {
    entries: total,
    batchEvents: FILL_BATCH,
    seconds: (end - start) / 1000,
    cpuSeconds: cpuTime(cpu) / 1e6,
    writtenBytesPerEvent: (writtenBytes() - bytes) / total,
    eventsPerSecond: total / ((end - start) / 1000),
    tailEventsPerSecond: tailEvents > 0 ? tailEvents / ((end - tailStart) / 1000) : Number.NaN,
    generateSeconds: generateMs / 1000,
    batchMs: { mean: appendTotal / appends, max: maxAppend },
    startMs: history.startMs,
    endMs: history.endMs,
    ingestAuthorization: `Bearer ${key.key}`,
  };
}
