/**
 * Group commit sizes with and without the sequencer's linger (CommitPacer), in one process on
 * one SQLite log: N clients each append arrays of E events, the next as soon as the last is
 * acknowledged, for S seconds, alternating linger on and off on the same log. No HTTP, so
 * what changes is only when the next batch is taken. Prints events/s, events per group commit
 * and the acknowledgement p99 of each run, and the medians.
 * Usage: node --import tsx bench/group-commit.ts   (BENCH_GC_CLIENTS=8 BENCH_GC_EVENTS=500
 *        BENCH_GC_ROUNDS=3 BENCH_SECONDS=5 BENCH_GC_PREFILL=100000)
 * With BENCH_GC_RATE=<events/s> the load is open loop instead: single events due at even
 * instants whether or not earlier ones were acknowledged, latency counted from the due time
 * (as bench/paced-load.ts does over HTTP): the ack tail at a given fraction of capacity.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLog } from '../src/log/open-log.js';
import { Sequencer } from '../src/log/sequencer.js';
import { ulidGenerator } from '../src/util/ids.js';
import { HISTORY_SOURCES, LogHistory } from './log-history.js';
import { latency, log, median } from './stats.js';

const CLIENTS = Number(process.env.BENCH_GC_CLIENTS ?? 8);
const EVENTS = Number(process.env.BENCH_GC_EVENTS ?? 500);
const ROUNDS = Number(process.env.BENCH_GC_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const PREFILL = Number(process.env.BENCH_GC_PREFILL ?? 100_000);
const RATE =
  process.env.BENCH_GC_RATE === undefined ? undefined : Number(process.env.BENCH_GC_RATE);

const dir = mkdtempSync(join(tmpdir(), 'evident-group-commit-'));
const history = new LogHistory(PREFILL + 10_000_000);
const opened = await openLog({ dataDir: dir, origin: 'bench.evident.local/log', clock: history });
const sequencers = {
  on: new Sequencer(opened.store, opened.signer, opened.origin, history, ulidGenerator()),
  off: new Sequencer(opened.store, opened.signer, opened.origin, history, ulidGenerator(), {
    linger: false,
  }),
};
for (let done = 0; done < PREFILL; done += 10_000)
  await sequencers.off.append(history.next(10_000, HISTORY_SOURCES[0]!), HISTORY_SOURCES[0]!);

type Run = { eventsPerSecond: number; perCommit: number; p99: number };
async function run(sequencer: Sequencer): Promise<Run> {
  if (RATE !== undefined) return paced(sequencer, RATE);
  const end = performance.now() + SECONDS * 1000;
  const sizes = new Set<number>();
  const samples: number[] = [];
  let events = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, c) => {
      const source = HISTORY_SOURCES[c % HISTORY_SOURCES.length]!;
      while (performance.now() < end) {
        const records = history.next(EVENTS, source);
        const sent = performance.now();
        const r = await sequencer.append(records, source);
        samples.push(performance.now() - sent);
        sizes.add(r.treeSize);
        events += r.entries.length;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  return {
    eventsPerSecond: events / seconds,
    perCommit: events / sizes.size,
    p99: latency(samples).p99,
  };
}

/** Open loop: one event due every 1/rate s; each latency runs from its due instant. */
async function paced(sequencer: Sequencer, rate: number): Promise<Run> {
  const total = Math.round(rate * SECONDS);
  const source = HISTORY_SOURCES[0]!;
  const sizes = new Set<number>();
  const samples: number[] = [];
  const acks: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    for (; sent < total && start + (sent * 1000) / rate <= now; sent++) {
      const due = start + (sent * 1000) / rate;
      acks.push(
        sequencer.append(history.next(1, source), source).then((r) => {
          samples.push(performance.now() - due);
          sizes.add(r.treeSize);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(acks);
  const seconds = (performance.now() - start) / 1000;
  return {
    eventsPerSecond: total / seconds,
    perCommit: total / sizes.size,
    p99: latency(samples).p99,
  };
}

const runs = { on: [] as Run[], off: [] as Run[] };
try {
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
    for (const side of order) {
      const r = await run(sequencers[side]);
      runs[side].push(r);
      log(
        `round ${round + 1} linger ${side}: ${Math.round(r.eventsPerSecond)} events/s, ` +
          `${Math.round(r.perCommit)} events per commit, ack p99 ${r.p99.toFixed(1)} ms`,
      );
    }
  }
} finally {
  await opened.close();
  rmSync(dir, { recursive: true, force: true });
}
const summary = (key: keyof Run) => {
  const off = median(runs.off.map((r) => r[key]));
  const on = median(runs.on.map((r) => r[key]));
  return {
    off: Math.round(off * 10) / 10,
    on: Math.round(on * 10) / 10,
    ratio: Math.round((on / off) * 1000) / 1000,
  };
};
console.log(
  JSON.stringify({
    ...(RATE === undefined ? { clients: CLIENTS, events: EVENTS } : { rate: RATE }),
    prefill: PREFILL,
    eventsPerSecond: summary('eventsPerSecond'),
    perCommit: summary('perCommit'),
    p99: summary('p99'),
  }),
);
