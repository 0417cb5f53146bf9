import Database from 'better-sqlite3';
import { type DocMove, movedDoc } from '../doc-move.js';
import { type Row, toCheckpoint, toEntry } from '../rows.js';
import { queryBuilder } from '../sql/query-runner.js';
import { sqliteParameters } from '../sql/sqlite-parameters.js';
import type { IngestKeyRow, LogHead, NewEntry, StoredCheckpoint, StoredEntry } from '../store.js';
import { nodeKey } from '../store.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

/**
 * What the main-thread store and the writer thread share: connection settings, the schema
 * migrations, prepared statements and row mapping.
 */

const ENTRY_COLUMNS = 'seq, id, source, leaf_hash, record, time_ms, received_at_ms';
const FULL_ENTRY_COLUMNS =
  'seq, id, source, leaf_hash, record, actor_id, action, target_type, target_id, outcome, time_ms, received_at_ms';

export function configure(db: Database.Database, cacheKiB: number, readonly: boolean): void {
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

export function migrate(db: Database.Database): void {
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
      for (const move of m.moveDocs ?? []) moveDocs(db, move);
      // One kind may feed several tables (accounts and their roles): deleted once all ran.
      for (const kind of new Set((m.moveDocs ?? []).map((move) => move.kind))) {
        db.prepare('DELETE FROM state WHERE kind = ?').run(kind);
      }
      db.prepare(
        'INSERT INTO schema_migrations (version, name, applied_at_ms) VALUES (?, ?, ?)',
      ).run(m.version, m.name, Date.now());
    }).immediate();
  }
}

/** A migration's data step on SQLite: one kind of `state` document becomes typed rows (deleted by the caller). */
function moveDocs(db: Database.Database, move: DocMove): void {
  const builder = queryBuilder('sqlite');
  const docs = db.prepare('SELECT * FROM state WHERE kind = ? ORDER BY id').all(move.kind) as Row[];
  for (const doc of docs) {
    for (const row of move.toRows(movedDoc(doc))) {
      const insert = builder.insertInto(move.table).values(row).compile();
      db.prepare(insert.sql).run(...sqliteParameters(insert.parameters));
    }
  }
}

export type ReadStatements = ReturnType<typeof prepareReads>;

export function prepareReads(db: Database.Database) {
  return {
    db,
    // See readTogether.
    together: db.transaction((read: () => unknown) => read()),
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
    // Rows as arrays, in FULL_ENTRY_COLUMNS order (toFullEntryFromColumns).
    scanEntries: db
      .prepare(`SELECT ${FULL_ENTRY_COLUMNS} FROM entries WHERE seq >= ? ORDER BY seq LIMIT ?`)
      .raw(true),
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
    cosignatures: db.prepare('SELECT line FROM cosignatures WHERE tree_size = ? ORDER BY witness'),
    keyById: db.prepare('SELECT * FROM ingest_keys WHERE id = ?'),
    keys: db.prepare('SELECT * FROM ingest_keys ORDER BY created_at_ms, id'),
    getState: db.prepare('SELECT * FROM state WHERE kind = ? AND id = ?'),
    stateAscFirst: db.prepare('SELECT * FROM state WHERE kind = ? ORDER BY id LIMIT ?'),
    stateAsc: db.prepare('SELECT * FROM state WHERE kind = ? AND id > ? ORDER BY id LIMIT ?'),
    stateDesc: db.prepare('SELECT * FROM state WHERE kind = ? AND id < ? ORDER BY id DESC LIMIT ?'),
    stateDescFirst: db.prepare('SELECT * FROM state WHERE kind = ? ORDER BY id DESC LIMIT ?'),
    scanStateFirst: db.prepare('SELECT * FROM state ORDER BY kind, id LIMIT ?'),
    scanState: db.prepare(
      'SELECT * FROM state WHERE (kind, id) > (?, ?) ORDER BY kind, id LIMIT ?',
    ),
  };
}

export function prepareWrites(writer: Database.Database) {
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
    insertCosignature: writer.prepare(
      'INSERT INTO cosignatures (tree_size, witness, line, received_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
    ),
    insertKey: writer.prepare(
      'INSERT INTO ingest_keys (id, source, secret_hash, label, created_at_ms, revoked_at_ms) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    revokeKey: writer.prepare(
      'UPDATE ingest_keys SET revoked_at_ms = ? WHERE id = ? AND revoked_at_ms IS NULL',
    ),
    createState: writer.prepare(
      'INSERT INTO state (kind, id, value, version, updated_at_ms) VALUES (?, ?, ?, 1, ?) ON CONFLICT DO NOTHING',
    ),
    replaceState: writer.prepare(
      'UPDATE state SET value = ?, version = version + 1, updated_at_ms = ? WHERE kind = ? AND id = ? AND version = ?',
    ),
    deleteState: writer.prepare('DELETE FROM state WHERE kind = ? AND id = ? AND version = ?'),
    insertState: writer.prepare(
      'INSERT INTO state (kind, id, value, version, updated_at_ms) VALUES (?, ?, ?, ?, ?)',
    ),
  };
}

export type WriteStatements = ReturnType<typeof prepareWrites>;

/**
 * Runs several reads in one read transaction. Outside a transaction every statement on a WAL
 * database begins its own: it takes and drops the WAL read lock (two fcntl calls) and checks
 * the file (an fstat). On the 2-core VMs we measure on that is 6–8 µs per statement, more
 * than a cached index lookup (0.5 µs inside a transaction). One transaction also gives the
 * reads one snapshot. Inside a transaction already (the writer's) the reads just run.
 */
export function readTogether<T>(s: ReadStatements, read: () => T): T {
  return s.db.inTransaction ? read() : (s.together(read) as T);
}

export function readHead(s: ReadStatements): LogHead | undefined {
  return readTogether(s, () => {
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
  });
}

/** The stored entries with these ids (the ones not stored are left out). */
export function readEntriesByIds(s: ReadStatements, ids: readonly string[]): StoredEntry[] {
  return readTogether(s, () => {
    const found: StoredEntry[] = [];
    for (const id of ids) {
      const row = s.entryById.get(id) as Row | undefined;
      if (row) found.push(toEntry(row));
    }
    return found;
  });
}

export function readNodes(
  s: ReadStatements,
  ids: readonly { level: number; index: number }[],
): Map<string, Uint8Array> {
  return readTogether(s, () => {
    const found = new Map<string, Uint8Array>();
    for (const { level, index } of ids) {
      const row =
        level === 0
          ? (s.leafHash.get(index) as Row | undefined)
          : (s.node.get(level, index) as Row | undefined);
      if (row) found.set(nodeKey(level, index), row.hash as Uint8Array);
    }
    return found;
  });
}

export function openDatabase(file: string, readonly: boolean, cacheKiB: number): Database.Database {
  const db = new Database(file, { readonly, fileMustExist: readonly });
  configure(db, cacheKiB, readonly);
  return db;
}

export type { IngestKeyRow, NewEntry, StoredCheckpoint, StoredEntry };
