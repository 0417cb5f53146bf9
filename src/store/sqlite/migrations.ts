import type { DocMove } from '../doc-move.js';

/**
 * Versioned schema of the SQLite store. Append a migration, never edit a shipped one:
 * data folders in the field have run the old text.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Documents of the old `state` table moved into the tables `sql` made, in the same transaction. */
  moveDocs?: readonly DocMove[];
}

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'log',
    sql: `
      -- seq is the leaf index and the rowid, so every secondary index is (column, seq):
      -- "newest first for this actor" is one backwards index walk.
      CREATE TABLE entries (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL,
        actor_id TEXT NOT NULL,
        action TEXT NOT NULL,
        target_type TEXT,
        target_id TEXT,
        outcome TEXT NOT NULL,
        time_ms INTEGER NOT NULL,
        received_at_ms INTEGER NOT NULL,
        record TEXT NOT NULL,
        leaf_hash BLOB NOT NULL
      );
      CREATE INDEX entries_actor ON entries (actor_id);
      CREATE INDEX entries_target ON entries (target_id);
      CREATE INDEX entries_action ON entries (action);
      CREATE INDEX entries_source ON entries (source);
      -- received_at never decreases along seq, so this index turns a time range into a seq range.
      CREATE INDEX entries_received_at ON entries (received_at_ms);

      -- Hashes of complete subtrees (level >= 1); level 0 is entries.leaf_hash.
      CREATE TABLE tree_nodes (
        level INTEGER NOT NULL,
        idx INTEGER NOT NULL,
        hash BLOB NOT NULL,
        PRIMARY KEY (level, idx)
      ) WITHOUT ROWID;

      CREATE TABLE checkpoints (
        size INTEGER PRIMARY KEY,
        root_hash BLOB NOT NULL,
        note TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
      );

      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      CREATE TABLE ingest_keys (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        secret_hash BLOB NOT NULL,
        label TEXT,
        created_at_ms INTEGER NOT NULL,
        revoked_at_ms INTEGER
      ) WITHOUT ROWID;

      -- Append-only in the database itself: no code path may rewrite history. (Someone with
      -- raw database access can drop these; the signed checkpoints are what catch that.)
      CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
      CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
        BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
      CREATE TRIGGER tree_nodes_no_update BEFORE UPDATE ON tree_nodes
        BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;
      CREATE TRIGGER tree_nodes_no_delete BEFORE DELETE ON tree_nodes
        BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;
      CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
      CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
    `,
  },
  {
    version: 2,
    name: 'state',
    sql: `
      -- The mutable state beside the log (accounts, tokens, sessions, alerts, rule positions):
      -- JSON documents with a version for compare-and-set. Never entries: those stay above.
      CREATE TABLE state (
        kind TEXT NOT NULL,
        id TEXT NOT NULL,
        value TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (kind, id)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'event_time',
    sql: `
      -- Search by the source's own time (time_from/time_to, newest first by time): with the
      -- rowid (seq) each index is (time_ms, seq) or (actor_id, time_ms, seq), so a keyset
      -- page is one backwards index walk. Two indexes, not one per filter: every index is
      -- paid on every insert. The actor one serves "one person's actions by event time".
      CREATE INDEX entries_time ON entries (time_ms);
      CREATE INDEX entries_actor_time ON entries (actor_id, time_ms);
    `,
  },
  {
    version: 4,
    name: 'cosignatures',
    sql: `
      -- Witness cosignature lines (C2SP tlog-cosignature) per checkpoint, as the witness sent
      -- them; one per witness and tree size. Served after the log's own signature line.
      CREATE TABLE cosignatures (
        tree_size INTEGER NOT NULL CHECK (tree_size >= 0),
        witness TEXT NOT NULL,
        line TEXT NOT NULL,
        received_at_ms INTEGER NOT NULL,
        PRIMARY KEY (tree_size, witness)
      ) WITHOUT ROWID;
    `,
  },
];
