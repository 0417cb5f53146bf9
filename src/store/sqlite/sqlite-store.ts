import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { Mutex } from '../../util/mutex.js';
import {
  type AppendBatch,
  type AppendTransaction,
  type EntryFilter,
  type IngestKeyRow,
  type LogHead,
  type NewEntry,
  nodeKey,
  type Store,
  type StoredCheckpoint,
  type StoredEntry,
  type StoredNode,
} from '../store.js';
import { SQLITE_MIGRATIONS } from './migrations.js';
import { WalCheckpointer } from './wal-checkpointer.js';

type Row = Record<string, unknown>;

const ENTRY_COLUMNS = 'seq, id, source, leaf_hash, record';
const FULL_ENTRY_COLUMNS =
  'seq, id, source, leaf_hash, record, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms';

export interface SqliteStoreOptions {
  /** Page cache per connection, in MiB: the insert rate at millions of rows depends on it. */
  cacheMiB?: number;
  readonly?: boolean;
}

/**
 * The embedded store: one SQLite file in WAL mode with synchronous=FULL, so a COMMIT returns
 * only after the WAL is fsynced (invariant 2). Appends use their own connection and BEGIN
 * IMMEDIATE, which also serialises writers in other processes (the CLI beside a server).
 * Reads use a second connection and so only ever see committed batches.
 */
export class SqliteStore implements Store {
  private readonly writer: Database.Database;
  private readonly reader: Database.Database;
  private readonly appendMutex = new Mutex();
  private readonly searchStatements = new Map<string, Database.Statement>();
  private readonly st: ReturnType<typeof prepareStatements>;
  private readonly checkpointer: WalCheckpointer | undefined;

  private constructor(
    writer: Database.Database,
    reader: Database.Database,
    checkpointer?: WalCheckpointer,
  ) {
    this.writer = writer;
    this.reader = reader;
    this.checkpointer = checkpointer;
    this.st = prepareStatements(writer, reader);
  }

  static open(file: string, options: SqliteStoreOptions = {}): SqliteStore {
    const cacheKiB = (options.cacheMiB ?? 64) * 1024;
    if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
    const writer = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
    configure(writer, cacheKiB, options.readonly ?? false);
    if (!options.readonly) migrate(writer);
    const reader = new Database(file, { readonly: true });
    configure(reader, cacheKiB, true);
    return new SqliteStore(
      writer,
      reader,
      options.readonly ? undefined : new WalCheckpointer(file),
    );
  }

  async append<T>(fn: (tx: AppendTransaction) => Promise<T>): Promise<T> {
    return this.appendMutex.run(async () => {
      this.st.begin.run();
      try {
        const result = await fn(this.transaction());
        this.st.commit.run();
        return result;
      } catch (error) {
        if (this.writer.inTransaction) this.st.rollback.run();
        throw error;
      }
    });
  }

  private transaction(): AppendTransaction {
    return {
      head: async () => this.readHead(this.st.w),
      entriesByIds: async (ids) => {
        const found = new Map<string, StoredEntry>();
        for (const id of ids) {
          const row = this.st.w.entryById.get(id) as Row | undefined;
          if (row) found.set(id, toEntry(row));
        }
        return found;
      },
      nodes: async (ids) => this.readNodes(this.st.w, ids),
      insert: async (batch) => this.insert(batch),
      getMeta: async (key) => {
        const row = this.st.w.getMeta.get(key) as Row | undefined;
        return row ? String(row.value) : undefined;
      },
      setMeta: async (key, value) => {
        this.st.setMeta.run(key, value);
      },
    };
  }

  private insert(batch: AppendBatch): void {
    const { insertEntry, insertNode, insertCheckpoint } = this.st;
    for (const e of batch.entries) {
      insertEntry.run(
        e.seq,
        e.id,
        e.source,
        e.actorId,
        e.action,
        e.targetType,
        e.targetId,
        e.outcome,
        e.timeMs,
        e.receivedAtMs,
        e.record,
        e.leafHash,
      );
    }
    for (const n of batch.nodes) insertNode.run(n.level, n.index, n.hash);
    const c = batch.checkpoint;
    insertCheckpoint.run(c.size, c.rootHash, c.note, c.createdAtMs);
  }

  async head(): Promise<LogHead | undefined> {
    return this.readHead(this.st.r);
  }

  private readHead(s: ReadStatements): LogHead | undefined {
    const row = s.latestCheckpoint.get() as Row | undefined;
    if (!row) return undefined;
    const checkpoint = toCheckpoint(row);
    const last = s.lastReceivedAt.get() as Row | undefined;
    return {
      size: checkpoint.size,
      rootHash: checkpoint.rootHash,
      checkpoint,
      lastReceivedAtMs: last ? Number(last.received_at_ms) : 0,
    };
  }

  async entryById(id: string): Promise<StoredEntry | undefined> {
    const row = this.st.r.entryById.get(id) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  async entryBySeq(seq: number): Promise<StoredEntry | undefined> {
    const row = this.st.r.entryBySeq.get(seq) as Row | undefined;
    return row ? toEntry(row) : undefined;
  }

  async entries(start: number, end: number): Promise<StoredEntry[]> {
    return (this.st.r.entryRange.all(start, end) as Row[]).map(toEntry);
  }

  async search(filter: EntryFilter): Promise<StoredEntry[]> {
    const conditions: string[] = [];
    const params: unknown[] = [];
    const add = (column: string, value: string | undefined) => {
      if (value === undefined) return;
      conditions.push(`${column} = ?`);
      params.push(value);
    };
    add('actor_id', filter.actor);
    add('action', filter.action);
    add('target_id', filter.target);
    add('target_type', filter.targetType);
    add('outcome', filter.outcome);
    add('source', filter.source);
    if (filter.fromSeq !== undefined) {
      conditions.push('seq >= ?');
      params.push(filter.fromSeq);
    }
    if (filter.toSeq !== undefined) {
      conditions.push('seq < ?');
      params.push(filter.toSeq);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const sql = `SELECT ${ENTRY_COLUMNS} FROM entries ${where} ORDER BY seq DESC LIMIT ?`;
    let statement = this.searchStatements.get(sql);
    if (!statement) {
      statement = this.reader.prepare(sql);
      this.searchStatements.set(sql, statement);
    }
    return (statement.all(...params, filter.limit) as Row[]).map(toEntry);
  }

  async firstSeqReceivedAtOrAfter(ms: number): Promise<number> {
    const row = this.st.r.firstSeqAtOrAfter.get(ms) as Row | undefined;
    if (row) return Number(row.seq);
    const head = this.readHead(this.st.r);
    return head?.size ?? 0;
  }

  async nodes(ids: readonly { level: number; index: number }[]): Promise<Map<string, Uint8Array>> {
    return this.readNodes(this.st.r, ids);
  }

  private readNodes(
    s: ReadStatements,
    ids: readonly { level: number; index: number }[],
  ): Map<string, Uint8Array> {
    const found = new Map<string, Uint8Array>();
    for (const { level, index } of ids) {
      const row =
        level === 0
          ? (s.leafHash.get(index) as Row | undefined)
          : (s.node.get(level, index) as Row | undefined);
      if (row) found.set(nodeKey(level, index), row.hash as Uint8Array);
    }
    return found;
  }

  async checkpoint(size: number): Promise<StoredCheckpoint | undefined> {
    const row = this.st.r.checkpointBySize.get(size) as Row | undefined;
    return row ? toCheckpoint(row) : undefined;
  }

  async *scanEntries(fromSeq: number, pageSize: number): AsyncIterable<NewEntry[]> {
    let next = fromSeq;
    for (;;) {
      const rows = this.st.r.scanEntries.all(next, pageSize) as Row[];
      if (rows.length === 0) return;
      yield rows.map(toFullEntry);
      next = Number(rows[rows.length - 1]!.seq) + 1;
    }
  }

  async *scanCheckpoints(pageSize: number): AsyncIterable<StoredCheckpoint[]> {
    let next = 0;
    for (;;) {
      const rows = this.st.r.scanCheckpoints.all(next, pageSize) as Row[];
      if (rows.length === 0) return;
      yield rows.map(toCheckpoint);
      next = Number(rows[rows.length - 1]!.size) + 1;
    }
  }

  async nodesAtLevel(level: number, fromIndex: number, limit: number): Promise<StoredNode[]> {
    const rows = this.st.r.nodesAtLevel.all(level, fromIndex, limit) as Row[];
    return rows.map((r) => ({
      level: Number(r.level),
      index: Number(r.idx),
      hash: r.hash as Uint8Array,
    }));
  }

  async counts(): Promise<{ entries: number; nodes: number; checkpoints: number; maxSeq: number }> {
    const row = this.st.r.counts.get() as Row;
    return {
      entries: Number(row.entries),
      nodes: Number(row.nodes),
      checkpoints: Number(row.checkpoints),
      maxSeq: row.max_seq === null ? -1 : Number(row.max_seq),
    };
  }

  async getMeta(key: string): Promise<string | undefined> {
    const row = this.st.r.getMeta.get(key) as Row | undefined;
    return row ? String(row.value) : undefined;
  }

  async setMeta(key: string, value: string): Promise<void> {
    this.st.setMeta.run(key, value);
  }

  async insertIngestKey(key: IngestKeyRow): Promise<void> {
    this.st.insertKey.run(
      key.id,
      key.source,
      key.secretHash,
      key.label,
      key.createdAtMs,
      key.revokedAtMs,
    );
  }

  async ingestKey(id: string): Promise<IngestKeyRow | undefined> {
    const row = this.st.r.keyById.get(id) as Row | undefined;
    return row ? toKey(row) : undefined;
  }

  async ingestKeys(): Promise<IngestKeyRow[]> {
    return (this.st.r.keys.all() as Row[]).map(toKey);
  }

  async revokeIngestKey(id: string, atMs: number): Promise<boolean> {
    this.st.revokeKey.run(atMs, id);
    return this.st.r.keyById.get(id) !== undefined;
  }

  async close(): Promise<void> {
    await this.appendMutex.run(async () => {
      this.reader.close();
      this.writer.close();
    });
    await this.checkpointer?.close();
  }
}

function configure(db: Database.Database, cacheKiB: number, readonly: boolean): void {
  db.pragma('busy_timeout = 10000');
  db.pragma(`cache_size = -${cacheKiB}`);
  db.pragma('temp_store = memory');
  if (readonly) return;
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every COMMIT, which is what "durable before acknowledged" needs.
  db.pragma('synchronous = FULL');
  // Checkpoints run on a worker (wal-checkpointer.ts); the writer's own autocheckpoint only
  // fires if that worker falls far behind (~80 MB of WAL).
  db.pragma('wal_autocheckpoint = 20000');
  db.pragma('journal_size_limit = 67108864');
}

function migrate(db: Database.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Row[]).map((r) =>
      Number(r.version),
    ),
  );
  const known = Math.max(...SQLITE_MIGRATIONS.map((m) => m.version));
  const newest = Math.max(0, ...applied);
  if (newest > known) {
    throw new Error(
      `this data folder was written by a newer Evident (schema ${newest}, this build knows ${known}); upgrade Evident`,
    );
  }
  for (const m of SQLITE_MIGRATIONS) {
    if (applied.has(m.version)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare(
        'INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)',
      ).run(m.version, m.name, Date.now());
    }).immediate();
  }
}

type ReadStatements = ReturnType<typeof prepareReads>;

function prepareReads(db: Database.Database) {
  return {
    latestCheckpoint: db.prepare(
      'SELECT size, root_hash, note, created_at_ms FROM checkpoints ORDER BY size DESC LIMIT 1',
    ),
    lastReceivedAt: db.prepare('SELECT received_at_ms FROM entries ORDER BY seq DESC LIMIT 1'),
    entryById: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE id = ?`),
    entryBySeq: db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq = ?`),
    entryRange: db.prepare(
      `SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq`,
    ),
    firstSeqAtOrAfter: db.prepare(
      'SELECT seq FROM entries WHERE received_at_ms >= ? ORDER BY received_at_ms, seq LIMIT 1',
    ),
    leafHash: db.prepare('SELECT leaf_hash AS hash FROM entries WHERE seq = ?'),
    node: db.prepare('SELECT hash FROM tree_nodes WHERE level = ? AND idx = ?'),
    checkpointBySize: db.prepare(
      'SELECT size, root_hash, note, created_at_ms FROM checkpoints WHERE size = ?',
    ),
    scanEntries: db.prepare(
      `SELECT ${FULL_ENTRY_COLUMNS} FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?`,
    ),
    scanCheckpoints: db.prepare(
      'SELECT size, root_hash, note, created_at_ms FROM checkpoints WHERE size >= ? ORDER BY size LIMIT ?',
    ),
    nodesAtLevel: db.prepare(
      'SELECT level, idx, hash FROM tree_nodes WHERE level = ? AND idx >= ? ORDER BY idx LIMIT ?',
    ),
    counts: db.prepare(
      `SELECT (SELECT count(*) FROM entries) AS entries, (SELECT max(seq) FROM entries) AS max_seq,
              (SELECT count(*) FROM tree_nodes) AS nodes, (SELECT count(*) FROM checkpoints) AS checkpoints`,
    ),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    keyById: db.prepare('SELECT * FROM ingest_keys WHERE id = ?'),
    keys: db.prepare('SELECT * FROM ingest_keys ORDER BY created_at_ms, id'),
  };
}

function prepareStatements(writer: Database.Database, reader: Database.Database) {
  const writable = !writer.readonly;
  return {
    r: prepareReads(reader),
    w: prepareReads(writer),
    begin: writer.prepare('BEGIN IMMEDIATE'),
    commit: writer.prepare('COMMIT'),
    rollback: writer.prepare('ROLLBACK'),
    ...(writable
      ? prepareWrites(writer)
      : (undefined as unknown as ReturnType<typeof prepareWrites>)),
  };
}

function prepareWrites(writer: Database.Database) {
  return {
    insertEntry: writer.prepare(
      `INSERT INTO entries (seq, id, source, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms, record, leaf_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    insertNode: writer.prepare('INSERT INTO tree_nodes (level, idx, hash) VALUES (?, ?, ?)'),
    insertCheckpoint: writer.prepare(
      'INSERT INTO checkpoints (size, root_hash, note, created_at_ms) VALUES (?, ?, ?, ?)',
    ),
    setMeta: writer.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    insertKey: writer.prepare(
      'INSERT INTO ingest_keys (id, source, secret_hash, label, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    revokeKey: writer.prepare(
      'UPDATE ingest_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL',
    ),
  };
}

function toEntry(row: Row): StoredEntry {
  return {
    seq: Number(row.seq),
    id: String(row.id),
    source: String(row.source),
    leafHash: row.leaf_hash as Uint8Array,
    record: String(row.record),
  };
}

function toFullEntry(row: Row): NewEntry {
  return {
    ...toEntry(row),
    actorId: String(row.actor_id),
    action: String(row.action),
    targetType: row.target_type === null ? null : String(row.target_type),
    targetId: row.target_id === null ? null : String(row.target_id),
    outcome: String(row.outcome),
    timeMs: Number(row.time_ms),
    receivedAtMs: Number(row.received_at_ms),
  };
}

function toCheckpoint(row: Row): StoredCheckpoint {
  return {
    size: Number(row.size),
    rootHash: row.root_hash as Uint8Array,
    note: String(row.note),
    createdAtMs: Number(row.created_at_ms),
  };
}

function toKey(row: Row): IngestKeyRow {
  return {
    id: String(row.id),
    source: String(row.source),
    secretHash: row.secret_hash as Uint8Array,
    label: row.label === null ? null : String(row.label),
    createdAtMs: Number(row.created_at_ms),
    revokedAtMs: row.revoked_at_ms === null ? null : Number(row.revoked_at_ms),
  };
}
