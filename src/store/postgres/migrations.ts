import type { DocMove } from '../doc-move.js';
import { ALERT_DOC_MOVES } from '../tables/alerts/alert-doc-moves.js';
import { MONITOR_DOC_MOVES } from '../tables/monitor/monitor-doc-moves.js';

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
  {
    version: 7,
    name: 'alerts_rules_engine',
    sql: `
      -- Alerts as rows: the list filters (state, severity, rule, assignee) each walk an index
      -- ending in id, and id is a ULID of the raise time, so a keyset page newest first and a
      -- time range are one backwards index walk.
      CREATE TABLE alerts (
        id TEXT COLLATE "C" PRIMARY KEY,
        alert_key TEXT COLLATE "C" NOT NULL,
        rule_id TEXT COLLATE "C" NOT NULL,
        title TEXT NOT NULL,
        description TEXT,
        severity TEXT COLLATE "C" NOT NULL,
        state TEXT COLLATE "C" NOT NULL,
        sources_json TEXT NOT NULL,
        group_json TEXT,
        seqs_json TEXT NOT NULL,
        seqs_by_source_json TEXT,
        seq_count BIGINT NOT NULL,
        triggered_at_ms BIGINT NOT NULL,
        raised_at_ms BIGINT NOT NULL,
        assignee TEXT COLLATE "C",
        acknowledged_at_ms BIGINT,
        acknowledged_by TEXT,
        resolved_at_ms BIGINT,
        resolved_by TEXT,
        disposition TEXT,
        resolution_note TEXT,
        steps BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        version BIGINT NOT NULL
      );
      CREATE INDEX alerts_state ON alerts (state, id);
      CREATE INDEX alerts_severity ON alerts (severity, id);
      CREATE INDEX alerts_rule ON alerts (rule_id, id);
      CREATE INDEX alerts_assignee ON alerts (assignee, id);
      -- The metrics' sums over a time range read this narrow index, not the wide rows.
      CREATE INDEX alerts_response ON alerts (id, severity, state, disposition, raised_at_ms,
        acknowledged_at_ms, resolved_at_ms);
      -- An alert's sources, one per row: "by source" and a reader's scope are index lookups.
      CREATE TABLE alert_sources (
        alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts (id),
        source TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (alert_id, source)
      );
      CREATE INDEX alert_sources_source ON alert_sources (source, alert_id);
      -- The entries that triggered an alert: the dashboard's "alerts raised on this event".
      CREATE TABLE alert_seqs (
        seq BIGINT NOT NULL,
        alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts (id),
        source TEXT COLLATE "C",
        PRIMARY KEY (seq, alert_id)
      );
      CREATE TABLE alert_groups (
        alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts (id),
        field TEXT COLLATE "C" NOT NULL,
        value TEXT COLLATE "C" NOT NULL,
        PRIMARY KEY (alert_id, field)
      );
      CREATE INDEX alert_groups_value ON alert_groups (field, value, alert_id);
      -- Handling steps, appended in the transaction of their log event (event_id); a step's
      -- seq is read from the log by that id.
      CREATE TABLE alert_history (
        alert_id TEXT COLLATE "C" NOT NULL REFERENCES alerts (id),
        step INTEGER NOT NULL,
        event_id TEXT COLLATE "C" NOT NULL UNIQUE,
        action TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
        by_json TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT COLLATE "C" NOT NULL,
        disposition TEXT,
        note TEXT,
        assignee TEXT COLLATE "C",
        text TEXT,
        PRIMARY KEY (alert_id, step)
      );
      -- Raise keys: one alert per triggering, whoever raises it and however often.
      CREATE TABLE alert_keys (
        alert_key TEXT COLLATE "C" PRIMARY KEY,
        alert_id TEXT COLLATE "C" NOT NULL,
        created_at_ms BIGINT NOT NULL
      );
      CREATE TABLE rule_texts (
        sha256 TEXT COLLATE "C" PRIMARY KEY,
        file TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL
      );
      CREATE TABLE rule_layers (
        layer TEXT COLLATE "C" PRIMARY KEY,
        sha256 TEXT COLLATE "C" NOT NULL,
        file TEXT NOT NULL,
        event_id TEXT COLLATE "C",
        event_seq BIGINT,
        at_ms BIGINT NOT NULL,
        by_id TEXT NOT NULL
      );
      CREATE TABLE engine_position (
        id TEXT COLLATE "C" PRIMARY KEY,
        position BIGINT NOT NULL CHECK (position >= 0),
        layers_json TEXT NOT NULL,
        evaluator_json TEXT NOT NULL,
        saved_at_ms BIGINT NOT NULL,
        version BIGINT NOT NULL
      );
      CREATE TABLE engine_lease (
        id TEXT COLLATE "C" PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        version BIGINT NOT NULL
      );
    `,
    moveDocs: [...ALERT_DOC_MOVES, ...MONITOR_DOC_MOVES],
  },
];
