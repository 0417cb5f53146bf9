import type { Pool, PoolClient } from 'pg';
import { toHex } from '../../core/bytes.js';
import { int, type Row, toCheckpoint, toEntry } from '../rows.js';
import { type AppendBatch, type LogHead, nodeKey, type StoredEntry } from '../store.js';
import type { Statements } from './statements.js';

/** The pool (committed state) or the append transaction's client (committed state + this tx). */
export type Queryable = Pool | PoolClient;

export async function readHead(db: Queryable, st: Statements): Promise<LogHead | undefined> {
  const { rows } = await db.query<Row>(st.head);
  const row = rows[0];
  if (!row) return undefined;
  const checkpoint = toCheckpoint(row);
  return {
    size: checkpoint.size,
    rootHash: checkpoint.rootHash,
    checkpoint,
    lastReceivedAtMs: row.last_received_at_ms === null ? 0 : int(row.last_received_at_ms),
  };
}

export async function readNodes(
  db: Queryable,
  st: Statements,
  ids: readonly { level: number; index: number }[],
): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  if (ids.length === 0) return found;
  const { rows } = await db.query<Row>(st.nodes, [
    ids.map((id) => id.level),
    ids.map((id) => id.index),
  ]);
  for (const row of rows) found.set(nodeKey(int(row.level), int(row.idx)), row.hash as Uint8Array);
  return found;
}

export async function readEntriesByIds(
  db: Queryable,
  st: Statements,
  ids: readonly string[],
): Promise<Map<string, StoredEntry>> {
  const found = new Map<string, StoredEntry>();
  if (ids.length === 0) return found;
  const { rows } = await db.query<Row>(st.entriesByIds, [ids]);
  for (const row of rows) {
    const entry = toEntry(row);
    found.set(entry.id, entry);
  }
  return found;
}

export async function readMeta(
  db: Queryable,
  st: Statements,
  key: string,
): Promise<string | undefined> {
  const { rows } = await db.query<Row>(st.getMeta, [key]);
  return rows[0] ? String(rows[0].value) : undefined;
}

export async function writeMeta(
  db: Queryable,
  st: Statements,
  key: string,
  value: string,
): Promise<void> {
  await db.query(st.setMeta, [key, value]);
}

/** Entries, nodes and the checkpoint of one batch: one statement (see statements.ts). */
export async function insertBatch(
  db: Queryable,
  st: Statements,
  batch: AppendBatch,
): Promise<void> {
  const { entries, nodes, checkpoint: c } = batch;
  const entryRows = entries.map((e) => ({
    seq: e.seq,
    id: e.id,
    source: e.source,
    actor_id: e.actorId,
    action: e.action,
    target_type: e.targetType,
    target_id: e.targetId,
    outcome: e.outcome,
    time_ms: e.timeMs,
    received_at_ms: e.receivedAtMs,
    record: e.record,
    leaf_hash: toHex(e.leafHash),
  }));
  const nodeRows = nodes.map((n) => ({ level: n.level, idx: n.index, hash: toHex(n.hash) }));
  await db.query(st.insertBatch, [
    JSON.stringify(entryRows),
    JSON.stringify(nodeRows),
    c.size,
    c.rootHash,
    c.note,
    c.createdAtMs,
  ]);
}
