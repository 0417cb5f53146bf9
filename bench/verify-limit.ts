/**
 * The limit for `verify --data`, measured in the same run on the same rows: every row read
 * (raw arrays of the columns verify reads) and, second, every row read plus its leaf SHA-256,
 * split evenly over one thread per core. Verify cannot beat the second: it must read each
 * row and hash each record once (and then hash the interior nodes and check what it read).
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../src/util/start-worker.js';

export interface VerifyLimit {
  threads: number;
  /** Rows/s reading every row, nothing else. */
  readPerSecond: number;
  /** Rows/s reading every row and hashing its record as a leaf. */
  readHashPerSecond: number;
  /** Mean stored record length (UTF-16 code units; ASCII records: bytes). */
  meanRecordChars: number;
}

export async function verifyLimit(file: string, entries: number): Promise<VerifyLimit> {
  const threads = Math.max(1, availableParallelism());
  const read = await pass(file, entries, threads, false);
  const hashed = await pass(file, entries, threads, true);
  return {
    threads,
    readPerSecond: read.rows / read.seconds,
    readHashPerSecond: hashed.rows / hashed.seconds,
    meanRecordChars: hashed.bytes / hashed.rows,
  };
}

async function pass(file: string, entries: number, threads: number, withHash: boolean) {
  const start = performance.now();
  const share = Math.ceil(entries / threads);
  const results = await Promise.all(
    Array.from({ length: threads }, (_, i) =>
      run(
        startWorker(new URL('./verify-limit-worker.js', import.meta.url), {
          file,
          from: i * share,
          to: Math.min(entries, (i + 1) * share),
          withHash,
        }),
      ),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  let rows = 0;
  let bytes = 0;
  for (const r of results) {
    rows += r.rows;
    bytes += r.bytes;
  }
  if (rows !== entries) throw new Error(`verify limit: read ${rows} rows of ${entries}`);
  return { rows, bytes, seconds };
}

function run(worker: Worker): Promise<{ rows: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
}
