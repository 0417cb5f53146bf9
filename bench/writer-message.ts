/**
 * What handing an append batch to the SQLite writer thread costs the event loop: postMessage
 * of the AppendBatch objects (structured clone, one object per entry) against packBatch +
 * postMessage with the typed arrays transferred (src/store/sqlite/packed-batch.ts). Times
 * only the synchronous part on the sending thread (packing + serialising), per entry, median
 * of many messages, the two ways alternating. The receiving thread's decoding is timed there
 * and reported beside it.
 * Usage: node --import tsx bench/writer-message.ts   (BENCH_WM_ENTRIES=2000 BENCH_WM_MESSAGES=300)
 */
import { Worker } from 'node:worker_threads';
import { leafHash } from '../src/core/merkle.js';
import { buildRecord, canonicalRecord } from '../src/core/record/canonical.js';
import { columnsOf } from '../src/log/prepare-entries.js';
import { packBatch } from '../src/store/sqlite/packed-batch.js';
import type { AppendBatch } from '../src/store/store.js';
import { HISTORY_SOURCES, LogHistory } from './log-history.js';
import { median } from './stats.js';

const ENTRIES = Number(process.env.BENCH_WM_ENTRIES ?? 2000);
const MESSAGES = Number(process.env.BENCH_WM_MESSAGES ?? 300);

const history = new LogHistory(ENTRIES);
const source = HISTORY_SOURCES[0]!;
const received_at = new Date(history.now()).toISOString();
const entries = history.next(ENTRIES, source).map((submitted, i) => {
  const record = buildRecord(submitted, { id: submitted.id!, received_at, source });
  const text = canonicalRecord(record);
  const entry = columnsOf(record, text, leafHash(text));
  entry.seq = i;
  return entry;
});
const batch: AppendBatch = {
  entries,
  nodes: entries.map((e, i) => ({ level: 1, index: i, hash: e.leafHash })),
  checkpoint: {
    size: ENTRIES,
    rootHash: entries[0]!.leafHash,
    note: 'x'.repeat(200),
    createdAtMs: 0,
  },
};

// The receiver touches what it got the way the writer does: every column of every entry.
const worker = new Worker(
  `const { parentPort } = require('node:worker_threads');
   parentPort.on('message', (m) => {
     const start = performance.now();
     let n = 0;
     if (m.packed) {
       const p = m.packed;
       for (const s of p.strings) n += (s ?? '').length;
       for (let i = 0; i < p.numbers.length / 3; i++) n += p.leafHashes.subarray(i * 32, i * 32 + 32).length;
     } else {
       for (const e of m.batch.entries) n += e.id.length + e.source.length + e.actorId.length + e.action.length + (e.targetType ?? '').length + (e.targetId ?? '').length + e.outcome.length + e.record.length + e.leafHash.length;
     }
     parentPort.postMessage({ ms: performance.now() - start, n });
   });`,
  { eval: true },
);
const reply = () => new Promise<{ ms: number }>((resolve) => worker.once('message', resolve));

const send = { objects: [] as number[], packed: [] as number[] };
const receive = { objects: [] as number[], packed: [] as number[] };
for (let i = 0; i < MESSAGES; i++) {
  for (const way of i % 2 === 0
    ? (['objects', 'packed'] as const)
    : (['packed', 'objects'] as const)) {
    const answered = reply();
    const start = performance.now();
    if (way === 'objects') worker.postMessage({ batch });
    else {
      const { packed, transfer } = packBatch(batch);
      worker.postMessage({ packed }, transfer);
    }
    send[way].push(performance.now() - start);
    receive[way].push((await answered).ms);
  }
}
await worker.terminate();
const perEntryUs = (xs: number[]) => Math.round((median(xs) / ENTRIES) * 1e6) / 1000;
console.log(
  JSON.stringify({
    entries: ENTRIES,
    messages: MESSAGES,
    sendUsPerEntry: { objects: perEntryUs(send.objects), packed: perEntryUs(send.packed) },
    receiveUsPerEntry: { objects: perEntryUs(receive.objects), packed: perEntryUs(receive.packed) },
  }),
);
