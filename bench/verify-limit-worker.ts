/**
 * One thread of the verify limit (verify-limit.ts): reads entries [from, to) as raw row
 * arrays (the columns verify reads, in pages as verify does) and, with `hash`, takes the leaf
 * SHA-256 of each stored record. Nothing else: no check, no object per row.
 */
import { hash } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, from, to, withHash } = workerData as {
  file: string;
  from: number;
  to: number;
  withHash: boolean;
};
const PAGE = 1000;
const db = new Database(file, { readonly: true });
db.pragma('cache_size = -65536');
const scan = db
  .prepare(
    'SELECT seq, id, source, leaf_hash, record, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?',
  )
  .raw(true);
let rows = 0;
let bytes = 0;
for (let seq = from; seq < to; seq += PAGE) {
  for (const row of scan.all(seq, Math.min(PAGE, to - seq)) as unknown[][]) {
    const record = row[4] as string;
    // 'binary' (latin1): a heap string, no Buffer per digest, as verify hashes (page-hash.ts).
    if (withHash) hash('sha256', `\u0000${record}`, 'binary');
    bytes += record.length;
    rows++;
  }
}
db.close();
parentPort!.postMessage({ rows, bytes });
