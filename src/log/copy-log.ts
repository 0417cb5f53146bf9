import { pow2 } from '../core/merkle.js';
import type { NewEntry, Store, StoredNode } from '../store/store.js';
import { STATE_TABLES } from '../store/tables/state-tables.js';
import { META_KEY_HISTORY, META_ORIGIN, META_VERIFIER_KEY } from './init-log.js';

export interface CopyProgress {
  copied: number;
  total: number;
}

/**
 * Copies a whole log into an empty store, batch by batch along its own checkpoints: the
 * same seqs, records, leaf hashes, tree nodes and signed checkpoints, byte for byte, plus
 * the log's identity (with its key history: handover checkpoints are copied like any other),
 * its ingest keys and every state table (accounts, tokens, sessions, alerts, rules…: the list
 * in store/tables/state-tables.ts) row for row, versions and times included. Refuses a target
 * that already holds a log or any state.
 */
export async function copyLog(
  from: Store,
  to: Store,
  onProgress?: (progress: CopyProgress) => void,
): Promise<{ entries: number; checkpoints: number; stateRows: number }> {
  if (await to.head())
    throw new Error('the target already holds a log; migrate only into an empty database');
  // Checked before anything is written: a clash found halfway would leave a half copy.
  for (const { table, key } of STATE_TABLES) {
    for await (const [row] of to.scanTable(table, 1)) {
      const names = key.map((k) => String(row![k])).join(' ');
      throw new Error(
        `the target already holds state (${table} ${names}); migrate only into an empty database`,
      );
    }
  }
  const head = await from.head();
  if (!head) throw new Error('the source holds no log');
  const origin = await from.getMeta(META_ORIGIN);
  const verifierKey = await from.getMeta(META_VERIFIER_KEY);
  const keyHistory = await from.getMeta(META_KEY_HISTORY);
  if (origin === undefined || verifierKey === undefined)
    throw new Error('the source log has no recorded identity');

  const entries = from.scanEntries(0, 10_000)[Symbol.asyncIterator]();
  let buffered: NewEntry[] = [];
  let copied = 0;
  let checkpoints = 0;
  let previousSize = 0;
  for await (const page of from.scanCheckpoints(1000)) {
    for (const checkpoint of page) {
      // Entries [previousSize, checkpoint.size) were committed with this checkpoint.
      const batch: NewEntry[] = [];
      while (batch.length < checkpoint.size - previousSize) {
        if (buffered.length === 0) {
          const next = await entries.next();
          if (next.done)
            throw new Error(`the source ends before its checkpoint of size ${checkpoint.size}`);
          buffered = next.value;
        }
        batch.push(buffered.shift()!);
      }
      const nodes = await nodesCompletedBetween(from, previousSize, checkpoint.size);
      await to.append(async (tx) => {
        if (checkpoints === 0) {
          await tx.setMeta(META_ORIGIN, origin);
          await tx.setMeta(META_VERIFIER_KEY, verifierKey);
          if (keyHistory !== undefined) await tx.setMeta(META_KEY_HISTORY, keyHistory);
        }
        await tx.insert({ entries: batch, nodes, checkpoint });
      });
      copied += batch.length;
      checkpoints++;
      previousSize = checkpoint.size;
      onProgress?.({ copied, total: head.size });
    }
  }
  for (const key of await from.ingestKeys()) await to.insertIngestKey(key);
  let stateRows = 0;
  for (const { table } of STATE_TABLES) {
    for await (const page of from.scanTable(table, 500)) {
      await to.insertRows(table, page);
      stateRows += page.length;
    }
  }
  return { entries: copied, checkpoints, stateRows };
}

/** The complete subtrees (level ≥ 1) whose last leaf lies in [from, to). */
async function nodesCompletedBetween(
  store: Store,
  from: number,
  to: number,
): Promise<StoredNode[]> {
  const nodes: StoredNode[] = [];
  for (let level = 1; pow2(level) <= to; level++) {
    const width = pow2(level);
    const first = Math.floor(from / width); // first index not yet complete at `from`
    const end = Math.floor(to / width); // indexes complete at `to`
    if (end <= first) continue;
    const rows = await store.nodesAtLevel(level, first, end - first);
    if (rows.length !== end - first) {
      throw new Error(
        `the source is missing tree nodes at level ${level} (indexes ${first}–${end - 1}); run evident verify`,
      );
    }
    nodes.push(...rows);
  }
  return nodes;
}
