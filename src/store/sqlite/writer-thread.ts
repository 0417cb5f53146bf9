/**
 * The SQLite writer, on its own thread. better-sqlite3 is synchronous: on the event loop,
 * every insert and every fsync of a batch would stop HTTP parsing, validation and hashing
 * of the next one. Here they run in parallel with it, on the second core.
 * Protocol: { id, op, args } in, { id, ok, value | error } out, one message at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isExpectedHead } from '../expected-head.js';
import type { Row } from '../rows.js';
import { sqliteParameters } from '../sql/sqlite-parameters.js';
import type { ExpectedHead, IngestKeyRow, StateDoc } from '../store.js';
import {
  openDatabase,
  prepareReads,
  prepareWrites,
  readEntriesByIds,
  readHead,
  readNodes,
} from './connection.js';
import { KEY_BATCH_ROWS, TAIL_INDEX_MS } from './key-batch.js';
import { KeyIndexer } from './key-indexer.js';
import { insertPacked, type PackedBatch } from './packed-batch.js';
import { StatementCache } from './statement-cache.js';

const { file, cacheKiB } = workerData as { file: string; cacheKiB: number };
const db = openDatabase(file, false, cacheKiB);
const r = prepareReads(db);
const w = prepareWrites(db);
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const rollback = db.prepare('ROLLBACK');
const indexer = new KeyIndexer(db, KEY_BATCH_ROWS);
/** Armed while a tail smaller than a batch waits; re-armed from each batch that empties it. */
let tailIndex: NodeJS.Timeout | undefined;
// Compiled state-table queries (src/store/sql/), bounded (statement-cache.ts says why).
const statements = new StatementCache(db);

// All or nothing: a page of copied documents that meets an existing id writes none of them.
const insertState = db.transaction((docs: StateDoc[]) => {
  for (const d of docs) w.insertState.run(d.kind, d.id, d.value, d.version, d.updatedAtMs);
});

const ops: Record<string, (...args: never[]) => unknown> = {
  begin: () => {
    begin.run();
    return readHead(r);
  },
  // A state-table transaction (Store.transaction): the same lock, no head to read.
  beginState: () => begin.run() && undefined,
  commit: () => commit.run() && undefined,
  exec: (sql: string, parameters: unknown[], mode: 'rows' | 'changes') => {
    const st = statements.get(sql);
    const values = sqliteParameters(parameters);
    if (st.reader) {
      const rows = st.all(...values) as Record<string, unknown>[];
      return { rows, changes: mode === 'changes' ? rows.length : 0 };
    }
    return { rows: [], changes: st.run(...values).changes };
  },
  rollback: () => {
    if (db.inTransaction) rollback.run();
  },
  entriesByIds: (ids: string[]) => readEntriesByIds(r, ids),
  nodes: (ids: { level: number; index: number }[]) => [...readNodes(r, ids)],
  insert: (batch: PackedBatch) => insertPacked(w, batch),
  // One message for the common end of an append: saves a thread round trip per batch.
  insertAndCommit: (batch: PackedBatch) => {
    insertPacked(w, batch);
    commit.run();
  },
  // A whole append in one message (Store.appendIfHead): a head that moved writes nothing.
  appendIfHead: (expected: ExpectedHead, batch: PackedBatch) => {
    begin.run();
    try {
      if (!isExpectedHead(readHead(r), expected)) {
        rollback.run();
        return false;
      }
      insertPacked(w, batch);
      commit.run();
      return true;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      throw error;
    }
  },
  getMeta: (key: string) => {
    const row = r.getMeta.get(key) as Row | undefined;
    return row ? String(row.value) : undefined;
  },
  setMeta: (key: string, value: string) => w.setMeta.run(key, value) && undefined,
  addCosignature: (size: number, witness: string, line: string, atMs: number) =>
    w.insertCosignature.run(size, witness, line, atMs) && undefined,
  insertKey: (k: IngestKeyRow) =>
    w.insertKey.run(k.id, k.source, k.secretHash, k.label, k.createdAtMs, k.revokedAtMs) &&
    undefined,
  revokeKey: (atMs: number, id: string) => w.revokeKey.run(atMs, id) && undefined,
  // Compare-and-set: true when exactly the expected version was there (0: nothing was).
  putState: (kind: string, id: string, value: string, expected: number, atMs: number) =>
    (expected === 0
      ? w.createState.run(kind, id, value, atMs)
      : w.replaceState.run(value, atMs, kind, id, expected)
    ).changes === 1,
  deleteState: (kind: string, id: string, expected: number) =>
    w.deleteState.run(kind, id, expected).changes === 1,
  insertState: (docs: StateDoc[]) => {
    insertState(docs);
  },
};

/**
 * After the reply to a COMMIT (the ack never waits for it): a full batch of unindexed entries
 * goes into the key tables now; a smaller tail once it has waited TAIL_INDEX_MS since the last
 * batch, however steady the commits. Waiting for the writer to fall idle instead let a steady
 * trickle (every audited read appends its own event) grow the tail to a whole batch, which
 * every actor and target search then scanned in entries.
 */
function indexAfterCommit(): void {
  indexQuietly(false);
  tailIndex ??= setTimeout(indexTail, TAIL_INDEX_MS).unref();
}

function indexTail(): void {
  tailIndex = undefined;
  // Failed (another process held the lock): the tail waits for the next try.
  if (!indexQuietly(true)) tailIndex = setTimeout(indexTail, TAIL_INDEX_MS).unref();
}

// The key tables are derived data: a batch that fails (another process holding the lock past
// busy_timeout) leaves the tail to the next one, and searches read the tail from entries.
function indexQuietly(all: boolean): boolean {
  try {
    if (indexer.run(all) > 0) {
      // The tail is empty: what comes next waits TAIL_INDEX_MS from now, not from before.
      clearTimeout(tailIndex);
      tailIndex = undefined;
    }
    return true;
  } catch {
    if (db.inTransaction) rollback.run();
    return false;
  }
}

parentPort!.on('message', (message: { id: number; op: string; args: never[] }) => {
  if (message.op === 'close') {
    clearTimeout(tailIndex);
    if (db.inTransaction) rollback.run();
    db.close();
    parentPort!.postMessage({ id: message.id, ok: true });
    process.exit(0);
  }
  try {
    const op = ops[message.op];
    if (!op) throw new Error(`unknown writer operation ${message.op}`);
    const value = op(...message.args);
    parentPort!.postMessage({ id: message.id, ok: true, value });
    const committed =
      message.op === 'commit' ||
      message.op === 'insertAndCommit' ||
      (message.op === 'appendIfHead' && value === true);
    if (committed) indexAfterCommit();
  } catch (error) {
    const e = error as { message?: string; code?: string };
    parentPort!.postMessage({
      id: message.id,
      ok: false,
      error: { message: e.message ?? String(error), code: e.code },
    });
  }
});
