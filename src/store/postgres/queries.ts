import type { Pool, PoolClient } from 'pg';
import { int, type Row, toCheckpoint, toEntry } from '../rows.js';
import { type AppendBatch, type LogHead, nodeKey, type StoredEntry } from '../store.js';
import {
  LEAF_COPY_COLUMNS,
  leafCopyText,
  NODE_COPY_COLUMNS,
  nodeCopyText,
  PAYLOAD_COPY_COLUMNS,
  payloadCopyText,
} from './batch-copy-text.js';
import { copyText } from './copy-rows.js';
import type { Statements } from './statements.js';

/** The pool (committed state) or the append transaction's client (committed state + this tx). */
export type Queryable = Pool | PoolClient;

export async function readHead(db: Queryable, st: Statements): Promise<LogHead | undefined> {
  const { rows } = await db.query<Row>(st.head);
  return headFrom(rows);
}

/** The head from the rows of `st.head` (also the last result of `st.begin`). */
export function headFrom(rows: readonly Row[]): LogHead | undefined {
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

/**
 * Entries, nodes and the checkpoint of one batch, inside the append transaction: COPY for the
 * rows (about 2.5× the rows/s of INSERT … json_to_recordset, BENCHMARKS.md), then the one
 * checkpoint row. Each entry is split as migration 13 stores it: its leaf (with digests of
 * the ids) and, unless it arrives already purged (a copied log, whose ids are digests
 * already), its payload in the month's partition (created beforehand: payload-months.ts).
 *
 * One statement is in flight at a time (node-postgres deprecates queueing a query on a busy
 * client, and 9.0 refuses it), yet the encoding overlaps PostgreSQL's work: each table's text
 * is encoded while PostgreSQL writes the previous one. They run in order, in this
 * transaction; the first failure is what this throws.
 */
export async function insertBatch(
  client: PoolClient,
  st: Statements,
  batch: AppendBatch,
): Promise<void> {
  const { entries, nodes, checkpoint: c } = batch;
  // Cheapest to encode first, so PostgreSQL starts at once; the leaves (two SHA-256 digests
  // per entry) are encoded last, while PostgreSQL writes the payloads.
  const writingNodes = copyText(client, st.nodesTable, NODE_COPY_COLUMNS, nodeCopyText(nodes));
  const payloads = payloadCopyText(entries);
  await writingNodes;
  const writingPayloads = copyText(client, st.payloadsTable, PAYLOAD_COPY_COLUMNS, payloads);
  const leaves = leafCopyText(entries);
  await writingPayloads;
  await copyText(client, st.leavesTable, LEAF_COPY_COLUMNS, leaves);
  await client.query(st.insertCheckpoint, [c.size, c.rootHash, c.note, c.createdAtMs]);
}
