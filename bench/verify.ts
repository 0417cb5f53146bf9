/**
 * `evident verify --data` on the filled log: verifyStore over a read-only store, with the
 * worker threads the CLI uses, beside its limit measured just before on the same rows.
 */
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { verifyStore } from '../src/verify/verify-store.js';
import { cpuTime } from './stats.js';
import { type VerifyLimit, verifyLimit } from './verify-limit.js';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  checkpoints: number;
  nodes: number;
  seconds: number;
  /** CPU time of this process, all threads (a shared machine stretches wall time). */
  cpuSeconds: number;
  entriesPerSecond: number;
  limit: VerifyLimit;
}

export async function verifyLog(dataDir: string): Promise<VerifyResult> {
  const database = join(dataDir, 'evident.db');
  const store = SqliteStore.open(database, { readonly: true });
  try {
    const size = (await store.head())?.size ?? 0;
    // First, so the rows are as warm in the page cache for verify as for the limit's second pass.
    const limit = await verifyLimit(database, size);
    const cpu = process.cpuUsage();
    const start = performance.now();
    const report = await verifyStore(store, { location: { dataDir } });
    const seconds = (performance.now() - start) / 1000;
    const cpuSeconds = cpuTime(cpu) / 1e6;
    if (!report.ok) throw new Error(`verify failed: ${JSON.stringify(report.problems[0])}`);
    return {
      ok: report.ok,
      entries: report.entriesChecked,
      checkpoints: report.checkpointsChecked,
      nodes: report.nodesChecked,
      seconds,
      cpuSeconds,
      entriesPerSecond: report.entriesChecked / seconds,
      limit,
    };
  } finally {
    await store.close();
  }
}
