import type { Pool, PoolClient } from 'pg';
import { int, type Row, toCheckpoint, toEntry } from '../rows.js';
import { type AppendBatch, type LogHead, nodeKey, type StoredEntry } from '../store.js';
import { PURGED_RECORD, purgedIdDigest } from '../tables/retention/purged-payloads-table.js';
import { copyRows } from './copy-rows.js';
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

/** entry_leaves: what stays of an entry for ever; the ids only as digests (migration 13). */
const LEAF_COPY_COLUMNS = [
  'seq',
  'id',
  'source',
  'action',
  'target_type',
  'outcome',
  'time_ms',
  'received_at_ms',
  'leaf_hash',
  'actor_digest',
  'target_digest',
] as const;
/** entry_payloads (partitioned by received_at month): what a purge removes. */
const PAYLOAD_COPY_COLUMNS = [
  'seq',
  'received_at_ms',
  'time_ms',
  'actor_id',
  'target_id',
  'record',
] as const;
const NODE_COPY_COLUMNS = ['level', 'idx', 'hash'] as const;

/**
 * Entries, nodes and the checkpoint of one batch, inside the append transaction: COPY for the
 * rows (about 2.5× the rows/s of INSERT … json_to_recordset, BENCHMARKS.md), then the one
 * checkpoint row. Each entry is split as migration 13 stores it: its leaf (with digests of
 * the ids) and, unless it arrives already purged (a copied log, whose ids are digests
 * already), its payload in the month's partition (created beforehand: payload-months.ts).
 */
export async function insertBatch(
  client: PoolClient,
  st: Statements,
  batch: AppendBatch,
): Promise<void> {
  const { entries, nodes, checkpoint: c } = batch;
  await copyRows(
    client,
    st.leavesTable,
    LEAF_COPY_COLUMNS,
    entries.map((e) => {
      const purged = e.record === PURGED_RECORD;
      return [
        e.seq,
        e.id,
        e.source,
        e.action,
        e.targetType,
        e.outcome,
        e.timeMs,
        e.receivedAtMs,
        e.leafHash,
        purged ? e.actorId : purgedIdDigest(e.actorId),
        e.targetId === null || purged ? e.targetId : purgedIdDigest(e.targetId),
      ];
    }),
  );
  await copyRows(
    client,
    st.payloadsTable,
    PAYLOAD_COPY_COLUMNS,
    entries
      .filter((e) => e.record !== PURGED_RECORD)
      .map((e) => [e.seq, e.receivedAtMs, e.timeMs, e.actorId, e.targetId, e.record]),
  );
  await copyRows(
    client,
    st.nodesTable,
    NODE_COPY_COLUMNS,
    nodes.map((n) => [n.level, n.index, n.hash]),
  );
  await client.query(st.insertCheckpoint, [c.size, c.rootHash, c.note, c.createdAtMs]);
}
