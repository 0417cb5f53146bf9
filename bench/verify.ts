/** `evident verify --data` on the filled log: verifyStore over a read-only store. */
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { verifyStore } from '../src/verify/verify-store.js';
import { cpuTime } from './stats.js';

export interface VerifyResult {
  ok: boolean;
  entries: number;
  checkpoints: number;
  nodes: number;
  seconds: number;
  /** CPU time of this process (a shared machine stretches wall time). */
  cpuSeconds: number;
  entriesPerSecond: number;
}

export async function verifyLog(databaseFile: string): Promise<VerifyResult> {
  const store = SqliteStore.open(databaseFile, { readonly: true });
  try {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const report = await verifyStore(store);
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
    };
  } finally {
    await store.close();
  }
}
