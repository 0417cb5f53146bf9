import type { DocMove } from '../doc-move.js';

/**
 * Versioned schema of the PostgreSQL store. Append a migration, never edit a shipped one:
 * databases in the field have run the old text. Each runs with search_path set to the log's
 * schema, so the text names tables unqualified.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Documents of the old `state` table moved into the tables `sql` made, in the same transaction. */
  moveDocs?: readonly DocMove[];
}

export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'log',
    sql: `
      -- COLLATE "C": byte order like SQLite's BINARY (same ordering on both adapters) and
      -- cheaper comparisons in the indexes. Every secondary index ends in seq, so "newest
      -- first for this actor" is one backwards index scan.
      CREATE TABLE entries (
        seq BIGINT PRIMARY KEY CHECK (seq >= 0),
        id TEXT COLLATE "C" NOT NULL UNIQUE,
        source TEXT COLLATE "C" NOT NULL,
        actor_id TEXT COLLATE "C" NOT NULL,
        action TEXT COLLATE "C" NOT NULL,
        target_type TEXT COLLATE "C",
        target_id TEXT COLLATE "C",
        outcome TEXT COLLATE "C" NOT NULL,
        time_ms BIGINT NOT NULL,
        received_at_ms BIGINT NOT NULL,
        record TEXT NOT NULL,
        leaf_hash BYTEA NOT NULL
      );
      CREATE INDEX entries_actor ON entries (actor_id, seq);
      CREATE INDEX entries_target ON entries (target_id, seq);
      CREATE INDEX entries_action ON entries (action, seq);
      CREATE INDEX entries_source ON entries (source, seq);
      -- received_at never decreases along seq, so this index turns a time range into a seq
      -- range; seq in the key gives ORDER BY received_at_ms, seq without a sort.
      CREATE INDEX entries_received_at ON entries (received_at_ms, seq);

      -- Hashes of complete subtrees (level >= 1); level 0 is entries.leaf_hash.
      CREATE TABLE tree_nodes (
        level INTEGER NOT NULL,
        idx BIGINT NOT NULL,
        hash BYTEA NOT NULL,
        PRIMARY KEY (level, idx)
      );

      CREATE TABLE checkpoints (
        size BIGINT PRIMARY KEY,
        root_hash BYTEA NOT NULL,
        note TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL
      );

      CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);

      CREATE TABLE ingest_keys (
        id TEXT COLLATE "C" PRIMARY KEY,
        source TEXT COLLATE "C" NOT NULL,
        secret_hash BYTEA NOT NULL,
        label TEXT,
        created_at_ms BIGINT NOT NULL,
        revoked_at_ms BIGINT
      );

      -- Append-only in the database itself: no code path may rewrite history. Statement
      -- triggers also cover TRUNCATE. (Someone with raw database access can drop these; the
      -- signed checkpoints are what catch that.)
      CREATE FUNCTION evident_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation';
        END;
      $$;
      CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON entries
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('entries are append-only');
      CREATE TRIGGER tree_nodes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON tree_nodes
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('tree nodes are append-only');
      CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON checkpoints
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('checkpoints are append-only');
    `,
  },
  {
    version: 2,
    name: 'state',
    sql: `
      -- The mutable state beside the log (accounts, tokens, sessions, alerts, rule positions):
      -- JSON documents with a version for compare-and-set across server processes.
      CREATE TABLE state (
        kind TEXT COLLATE "C" NOT NULL,
        id TEXT COLLATE "C" NOT NULL,
        value TEXT NOT NULL,
        version BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        PRIMARY KEY (kind, id)
      );
    `,
  },
  {
    version: 3,
    name: 'event_time',
    sql: `
      -- Search by the source's own time (time_from/time_to, newest first by time, ties by
      -- seq): keyset pages are one backwards index scan. Two indexes, not one per filter:
      -- every index is paid on every insert. The actor one serves "one person's actions by
      -- event time".
      CREATE INDEX entries_time ON entries (time_ms, seq);
      CREATE INDEX entries_actor_time ON entries (actor_id, time_ms, seq);
      -- The ip filter compares actor.ip as inet; a text that is not an address (none passes
      -- ingest validation, but a search must never fail on a row) is NULL, not an error.
      CREATE FUNCTION evident_inet(text) RETURNS inet LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
          RETURN $1::inet;
        EXCEPTION WHEN others THEN
          RETURN NULL;
        END;
      $$;
    `,
  },
  {
    version: 4,
    name: 'cosignatures',
    sql: `
      -- Witness cosignature lines (C2SP tlog-cosignature) per checkpoint, as the witness sent
      -- them; one per witness and tree size. Served after the log's own signature line.
      CREATE TABLE cosignatures (
        tree_size BIGINT NOT NULL CHECK (tree_size >= 0),
        witness TEXT COLLATE "C" NOT NULL,
        line TEXT NOT NULL,
        received_at_ms BIGINT NOT NULL,
        PRIMARY KEY (tree_size, witness)
      );
    `,
  },
];
