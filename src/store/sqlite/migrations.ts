import type { DocMove } from '../doc-move.js';
import { ACCOUNT_DOC_MOVES } from '../tables/accounts/account-documents.js';
import { ALERT_DOC_MOVES } from '../tables/alerts/alert-doc-moves.js';
import { CREDENTIAL_DOC_MOVES } from '../tables/credentials/credential-doc-moves.js';
import { MONITOR_DOC_MOVES } from '../tables/monitor/monitor-doc-moves.js';
import { DROP_HALF_MOVED_DELIVERIES, NOTIFY_DOC_MOVES } from '../tables/notify/notify-doc-moves.js';
import { SOURCES_DOC_MOVES } from '../tables/sources/sources-doc-moves.js';

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
  {
    version: 5,
    name: 'accounts',
    sql: `
      -- People and service principals. UNIQUE constraints keep names and OpenID identities
      -- unique (no lookup documents beside them); several accounts without an identity may
      -- exist, since NULLs never collide in a UNIQUE constraint.
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('person', 'service')),
        name TEXT NOT NULL CONSTRAINT accounts_name_unique UNIQUE,
        display_name TEXT,
        email TEXT,
        password_hash TEXT,
        oidc_issuer TEXT,
        oidc_subject TEXT,
        disabled INTEGER NOT NULL CHECK (disabled IN (0, 1)),
        created_at_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        sign_in_failures INTEGER NOT NULL,
        sign_in_last_failure_ms INTEGER,
        sign_in_locked_until_ms INTEGER,
        sign_in_last_success_ms INTEGER,
        credentials_set_by TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL)),
        CONSTRAINT accounts_oidc_unique UNIQUE (oidc_issuer, oidc_subject)
      ) WITHOUT ROWID;
      CREATE INDEX accounts_kind ON accounts (kind, id);

      -- One row per role held: "holders of a role" and "enabled admins" are index lookups.
      CREATE TABLE account_roles (
        account_id TEXT NOT NULL REFERENCES accounts (id),
        role TEXT NOT NULL,
        sources TEXT,
        position INTEGER NOT NULL,
        PRIMARY KEY (account_id, role)
      ) WITHOUT ROWID;
      CREATE INDEX account_roles_role ON account_roles (role, account_id);

      -- Four-eyes requests; listed by state, newest first, and looked up by subject.
      CREATE TABLE approvals (
        id TEXT PRIMARY KEY,
        change TEXT NOT NULL,
        subject_id TEXT NOT NULL,
        subject_name TEXT NOT NULL,
        requested_by_id TEXT NOT NULL,
        requested_by_name TEXT NOT NULL,
        requested_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        reason TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
        decided_by_id TEXT,
        decided_by_name TEXT,
        decided_at_ms INTEGER,
        decision_reason TEXT,
        payload TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX approvals_status ON approvals (status, id);
      -- At most one waiting request per subject and change, kept by the database.
      CREATE UNIQUE INDEX approvals_one_pending ON approvals (subject_id, change)
        WHERE status = 'pending';
    `,
    moveDocs: ACCOUNT_DOC_MOVES,
  },
  {
    version: 6,
    name: 'credentials',
    sql: `
      -- API tokens, sign-in sessions, OpenID sign-ins in progress and CLI hand-off codes, moved
      -- out of the generic state table. Secrets are stored hashed (the id of a session and of a
      -- hand-off code is the SHA-256 of the cookie or code). "One principal's tokens or
      -- sessions" is an index walk; expired short-lived rows go in one DELETE over an index.
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        label TEXT,
        roles TEXT,
        created_at_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        revoked_at_ms INTEGER,
        revoked_by TEXT,
        last_used_at_ms INTEGER,
        awaiting_approval INTEGER NOT NULL CHECK (awaiting_approval IN (0, 1)),
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX api_tokens_principal ON api_tokens (principal_id, created_at_ms, id);
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL,
        method TEXT NOT NULL CHECK (method IN ('password', 'oidc')),
        created_at_ms INTEGER NOT NULL,
        last_seen_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        ip TEXT,
        user_agent TEXT,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX sessions_principal ON sessions (principal_id, created_at_ms);
      CREATE INDEX sessions_expires ON sessions (expires_at_ms);
      CREATE TABLE oidc_flows (
        id TEXT PRIMARY KEY,
        nonce TEXT NOT NULL,
        code_verifier TEXT NOT NULL,
        return_to TEXT NOT NULL,
        browser_hash TEXT NOT NULL,
        cli_redirect TEXT,
        cli_challenge TEXT,
        cli_state TEXT,
        created_at_ms INTEGER NOT NULL,
        expires_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX oidc_flows_expires ON oidc_flows (expires_at_ms);
      CREATE TABLE cli_handoffs (
        id TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL,
        challenge TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX cli_handoffs_expires ON cli_handoffs (expires_at_ms);
    `,
    moveDocs: CREDENTIAL_DOC_MOVES,
  },
  {
    version: 7,
    name: 'alerts_rules_engine',
    sql: `
      -- Alerts as rows: the list filters (state, severity, rule, assignee) each walk an index
      -- ending in id, and id is a ULID of the raise time, so a keyset page newest first and a
      -- time range are one backwards index walk.
      CREATE TABLE alerts (
        id TEXT PRIMARY KEY,
        alert_key TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        title TEXT NOT NULL,
        description TEXT,
        severity TEXT NOT NULL,
        state TEXT NOT NULL,
        sources_json TEXT NOT NULL,
        group_json TEXT,
        seqs_json TEXT NOT NULL,
        seqs_by_source_json TEXT,
        seq_count INTEGER NOT NULL,
        triggered_at_ms INTEGER NOT NULL,
        raised_at_ms INTEGER NOT NULL,
        assignee TEXT,
        acknowledged_at_ms INTEGER,
        acknowledged_by TEXT,
        resolved_at_ms INTEGER,
        resolved_by TEXT,
        disposition TEXT,
        resolution_note TEXT,
        steps INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX alerts_state ON alerts (state, id);
      CREATE INDEX alerts_severity ON alerts (severity, id);
      CREATE INDEX alerts_rule ON alerts (rule_id, id);
      CREATE INDEX alerts_assignee ON alerts (assignee, id);
      -- The metrics' sums over a time range read this narrow index, not the wide rows.
      CREATE INDEX alerts_response ON alerts (id, severity, state, disposition, raised_at_ms,
        acknowledged_at_ms, resolved_at_ms);
      -- An alert's sources, one per row: "by source" and a reader's scope are index lookups.
      CREATE TABLE alert_sources (
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        source TEXT NOT NULL,
        PRIMARY KEY (alert_id, source)
      ) WITHOUT ROWID;
      CREATE INDEX alert_sources_source ON alert_sources (source, alert_id);
      -- The entries that triggered an alert: the dashboard's "alerts raised on this event".
      CREATE TABLE alert_seqs (
        seq INTEGER NOT NULL,
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        source TEXT,
        PRIMARY KEY (seq, alert_id)
      ) WITHOUT ROWID;
      CREATE TABLE alert_groups (
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (alert_id, field)
      ) WITHOUT ROWID;
      CREATE INDEX alert_groups_value ON alert_groups (field, value, alert_id);
      -- Handling steps, appended in the transaction of their log event (event_id); a step's
      -- seq is read from the log by that id.
      CREATE TABLE alert_history (
        alert_id TEXT NOT NULL REFERENCES alerts (id),
        step INTEGER NOT NULL,
        event_id TEXT NOT NULL UNIQUE,
        action TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        by_json TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT NOT NULL,
        disposition TEXT,
        note TEXT,
        assignee TEXT,
        text TEXT,
        PRIMARY KEY (alert_id, step)
      ) WITHOUT ROWID;
      -- Raise keys: one alert per triggering, whoever raises it and however often.
      CREATE TABLE alert_keys (
        alert_key TEXT PRIMARY KEY,
        alert_id TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE rule_texts (
        sha256 TEXT PRIMARY KEY,
        file TEXT NOT NULL,
        text TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE rule_layers (
        layer TEXT PRIMARY KEY,
        sha256 TEXT NOT NULL,
        file TEXT NOT NULL,
        event_id TEXT,
        event_seq INTEGER,
        at_ms INTEGER NOT NULL,
        by_id TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE engine_position (
        id TEXT PRIMARY KEY,
        position INTEGER NOT NULL CHECK (position >= 0),
        layers_json TEXT NOT NULL,
        evaluator_json TEXT NOT NULL,
        saved_at_ms INTEGER NOT NULL,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE engine_lease (
        id TEXT PRIMARY KEY,
        holder TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
    moveDocs: [...ALERT_DOC_MOVES, ...MONITOR_DOC_MOVES],
  },
  {
    version: 8,
    name: 'notify_sources',
    sql: `
      -- One row per notification delivery, queued → delivered | dead: a claim, an attempt's
      -- result and a move between states are each one conditional UPDATE on the version.
      -- The sending loop reads (state, next_attempt_at_ms); the API pages (state, id).
      CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        channel TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'dead')),
        next_attempt_at_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL CHECK (attempts >= 0),
        replays INTEGER NOT NULL CHECK (replays >= 0),
        lease_owner TEXT,
        lease_until_ms INTEGER,
        last_error TEXT,
        payload TEXT NOT NULL,
        history TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        finished_at_ms INTEGER,
        version INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
      CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at_ms, id);
      CREATE INDEX deliveries_by_state ON deliveries (state, id);
      -- The notification settings: one document (channels with sealed secrets), replaced whole.
      CREATE TABLE notification_settings (
        id TEXT PRIMARY KEY CHECK (id = 'current'),
        settings TEXT NOT NULL,
        version INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
      -- Expected sources; silence: default (the server's limit), off, or custom (max_silence_ms).
      CREATE TABLE sources (
        name TEXT PRIMARY KEY,
        origin TEXT NOT NULL CHECK (origin IN ('declared', 'ingest_key', 'seen')),
        description TEXT,
        silence TEXT NOT NULL CHECK (silence IN ('default', 'off', 'custom')),
        max_silence_ms INTEGER,
        created_at_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        version INTEGER NOT NULL,
        CHECK ((silence = 'custom') = (max_silence_ms IS NOT NULL))
      );
      -- What the observer learned per source (rate buckets and skew histogram bounded, as JSON).
      CREATE TABLE source_stats (
        source TEXT PRIMARY KEY,
        first_seq INTEGER,
        last_seq INTEGER,
        last_received_at_ms INTEGER,
        last_time_ms INTEGER,
        total INTEGER NOT NULL,
        minutes TEXT NOT NULL,
        hours TEXT NOT NULL,
        skew TEXT NOT NULL,
        skew_alert_hour INTEGER,
        silence_since_ms INTEGER,
        silence_last_seq INTEGER,
        silence_detected_at_ms INTEGER,
        silence_alert_id TEXT,
        version INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL
      );
      ${DROP_HALF_MOVED_DELIVERIES}
    `,
    moveDocs: [...NOTIFY_DOC_MOVES, ...SOURCES_DOC_MOVES],
  },
  {
    version: 9,
    name: 'retention',
    sql: `
      -- Retention policies: one row per source, '*' the default for sources without one.
      -- Periods are ISO 8601 durations in whole days or months (P90D, P12M), measured on
      -- received_at; NULL minimum: removable at any age; NULL maximum: kept forever.
      CREATE TABLE retention_policies (
        source TEXT PRIMARY KEY,
        min_period TEXT,
        max_period TEXT,
        archive INTEGER NOT NULL CHECK (archive IN (0, 1)),
        updated_at_ms INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- Legal holds: an entry matching every non-NULL criterion of a live hold is never purged.
      CREATE TABLE legal_holds (
        id TEXT PRIMARY KEY,
        matter TEXT NOT NULL,
        reason TEXT NOT NULL,
        source TEXT,
        actor_id TEXT,
        target_id TEXT,
        from_ms INTEGER,
        to_ms INTEGER,
        placed_at_ms INTEGER NOT NULL,
        placed_by TEXT NOT NULL,
        released_at_ms INTEGER,
        released_by TEXT,
        version INTEGER NOT NULL
      ) WITHOUT ROWID;
      -- One row per entry whose payload a recorded retention.purge event (purge_seq) removed;
      -- restored_at_ms is set when a payload matching the leaf hash was put back. The row stays
      -- after a restore, so re-applying recorded purges at start leaves a restore alone.
      CREATE TABLE purged_payloads (
        seq INTEGER PRIMARY KEY,
        purge_seq INTEGER NOT NULL,
        purged_at_ms INTEGER NOT NULL,
        restored_at_ms INTEGER
      );
      CREATE INDEX purged_payloads_purge ON purged_payloads (purge_seq, seq);
      -- A purge names a recorded retention.purge event appended after the entry.
      CREATE TRIGGER purged_payloads_need_event BEFORE INSERT ON purged_payloads
        WHEN NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = NEW.purge_seq
          AND e.source = 'evident' AND e.action = 'retention.purge' AND e.seq > NEW.seq)
        BEGIN SELECT RAISE(ABORT, 'a purge must name the retention.purge event that covers it'); END;
      CREATE TRIGGER purged_payloads_no_delete BEFORE DELETE ON purged_payloads
        BEGIN SELECT RAISE(ABORT, 'purged payloads are append-only'); END;
      CREATE TRIGGER purged_payloads_restore_only BEFORE UPDATE ON purged_payloads
        WHEN NOT (NEW.seq = OLD.seq AND NEW.purge_seq = OLD.purge_seq
          AND NEW.purged_at_ms = OLD.purged_at_ms AND OLD.restored_at_ms IS NULL)
        BEGIN SELECT RAISE(ABORT, 'purged payloads are append-only'); END;
      -- The one exception to append-only entries: for a seq listed above, the payload (record)
      -- may be emptied or put back, and actor_id / target_id replaced by their digests. seq,
      -- id, leaf hash, source, action, outcome and both times never change.
      DROP TRIGGER entries_no_update;
      CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        WHEN NOT (NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.source = OLD.source
          AND NEW.action = OLD.action AND NEW.outcome = OLD.outcome
          AND NEW.time_ms = OLD.time_ms AND NEW.received_at_ms = OLD.received_at_ms
          AND NEW.leaf_hash = OLD.leaf_hash AND NEW.target_type IS OLD.target_type
          AND (NEW.record = '' OR OLD.record = '')
          AND EXISTS (SELECT 1 FROM purged_payloads p WHERE p.seq = OLD.seq))
        BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
    `,
  },
  {
    version: 10,
    name: 'reviews',
    sql: `
      -- Review definitions (docs/reviews.md): what is reviewed, how often, by whom. The
      -- scope and reviewers are small JSON lists; a change bumps version.
      CREATE TABLE review_definitions (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL CHECK (kind IN ('log', 'access')),
        cadence TEXT NOT NULL
          CHECK (cadence IN ('daily', 'weekly', 'monthly', 'quarterly', 'yearly')),
        time_zone TEXT NOT NULL,
        sources TEXT NOT NULL,
        filter TEXT NOT NULL,
        reviewers TEXT NOT NULL,
        due_days INTEGER NOT NULL CHECK (due_days >= 1),
        countersign INTEGER NOT NULL CHECK (countersign IN (0, 1)),
        created_at_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        updated_by TEXT NOT NULL,
        version INTEGER NOT NULL
      );
      -- One occurrence per definition and period: the unique pair is what makes generation
      -- exactly-once across restarts and processes. The definition column is the copy it was made
      -- from (a later change of the definition never reaches it); the pin (tree_size …
      -- snapshot_sha256) is written once, at start; the sign-off once, after.
      CREATE TABLE review_occurrences (
        id TEXT PRIMARY KEY,
        definition_id TEXT NOT NULL REFERENCES review_definitions (id),
        period_start_ms INTEGER NOT NULL,
        period_end_ms INTEGER NOT NULL,
        due_at_ms INTEGER NOT NULL,
        definition TEXT NOT NULL,
        status TEXT NOT NULL
          CHECK (status IN ('open', 'in_progress', 'awaiting_countersign', 'signed_off')),
        started_at_ms INTEGER,
        started_by TEXT,
        tree_size INTEGER,
        root_hash TEXT,
        checkpoint TEXT,
        items TEXT,
        items_sha256 TEXT,
        item_count INTEGER,
        actors TEXT,
        snapshot TEXT,
        snapshot_sha256 TEXT,
        signed_off_at_ms INTEGER,
        signed_off_by TEXT,
        sign_off_event TEXT,
        decision TEXT CHECK (decision IN ('no_findings', 'findings')),
        notes TEXT,
        countersigned_at_ms INTEGER,
        countersigned_by TEXT,
        overdue_alert_id TEXT,
        created_at_ms INTEGER NOT NULL,
        version INTEGER NOT NULL,
        UNIQUE (definition_id, period_start_ms)
      );
      CREATE INDEX review_occurrences_due ON review_occurrences (status, due_at_ms);
      CREATE INDEX review_occurrences_period ON review_occurrences (period_start_ms, id);
      -- Observations, access decisions and corrections on an occurrence, in order.
      CREATE TABLE review_notes (
        occurrence_id TEXT NOT NULL REFERENCES review_occurrences (id),
        id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('observation', 'decision', 'correction')),
        item TEXT NOT NULL,
        note TEXT NOT NULL,
        decision TEXT,
        roles TEXT,
        alert_id TEXT,
        approval_id TEXT,
        event_id TEXT,
        by_id TEXT NOT NULL,
        at_ms INTEGER NOT NULL,
        PRIMARY KEY (occurrence_id, id)
      );
    `,
  },
  {
    version: 11,
    name: 'saved_searches',
    sql: `
      -- A person's saved searches (the dashboard's query bar text and date preset), one name
      -- once per person; a person lists and deletes only their own (principal_id).
      CREATE TABLE saved_searches (
        id TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        date_range TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        UNIQUE (principal_id, name)
      );
    `,
  },
  {
    version: 12,
    name: 'gateway',
    sql: `
      -- People's database-gateway credentials: SCRAM-SHA-256 verifiers only (never a secret),
      -- each with a lifetime; a person's list and the gateway's sync of the unexpired ones
      -- walk an index.
      CREATE TABLE gateway_credentials (
        id TEXT PRIMARY KEY,
        principal_id TEXT NOT NULL,
        label TEXT,
        verifier TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        expires_at_ms INTEGER NOT NULL,
        revoked_at_ms INTEGER,
        revoked_by TEXT,
        version INTEGER NOT NULL
      );
      CREATE INDEX gateway_credentials_principal ON gateway_credentials (principal_id, created_at_ms, id);
      CREATE INDEX gateway_credentials_expiry ON gateway_credentials (expires_at_ms);
      -- Who may reach which database as which upstream role: a person (account id) or
      -- everyone holding an Evident role.
      CREATE TABLE gateway_grants (
        id TEXT PRIMARY KEY,
        subject_type TEXT NOT NULL CHECK (subject_type IN ('person', 'role')),
        subject TEXT NOT NULL,
        database_name TEXT NOT NULL,
        upstream_role TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        created_by TEXT NOT NULL,
        version INTEGER NOT NULL,
        UNIQUE (subject_type, subject, database_name, upstream_role)
      );
    `,
  },
  {
    version: 13,
    name: 'purge_ranges',
    sql: `
      -- Purges are recorded as seq ranges: purged_payloads.seq is the first seq of a range,
      -- last_seq its last (rows made before this migration are ranges of one). A payload put
      -- back from an archive is a row of restored_payloads (rows made before: restored_at_ms).
      DROP TRIGGER purged_payloads_restore_only;
      ALTER TABLE purged_payloads ADD COLUMN last_seq INTEGER NOT NULL DEFAULT -1;
      UPDATE purged_payloads SET last_seq = seq;
      CREATE TABLE restored_payloads (
        seq INTEGER PRIMARY KEY,
        restored_at_ms INTEGER NOT NULL
      );
      CREATE TRIGGER restored_payloads_no_update BEFORE UPDATE ON restored_payloads
        BEGIN SELECT RAISE(ABORT, 'restored payloads are append-only'); END;
      CREATE TRIGGER restored_payloads_no_delete BEFORE DELETE ON restored_payloads
        BEGIN SELECT RAISE(ABORT, 'restored payloads are append-only'); END;
      DROP TRIGGER purged_payloads_need_event;
      CREATE TRIGGER purged_payloads_need_event BEFORE INSERT ON purged_payloads
        WHEN NEW.last_seq < NEW.seq OR NOT EXISTS (SELECT 1 FROM entries e WHERE e.seq = NEW.purge_seq
          AND e.source = 'evident' AND e.action = 'retention.purge' AND e.seq > NEW.last_seq)
        BEGIN SELECT RAISE(ABORT, 'a purge must name the retention.purge event that covers it'); END;
      CREATE TRIGGER purged_payloads_restore_only BEFORE UPDATE ON purged_payloads
        WHEN NOT (NEW.seq = OLD.seq AND NEW.last_seq = OLD.last_seq AND NEW.purge_seq = OLD.purge_seq
          AND NEW.purged_at_ms = OLD.purged_at_ms AND OLD.restored_at_ms IS NULL)
        BEGIN SELECT RAISE(ABORT, 'purged payloads are append-only'); END;
      -- As migration 9, for a seq inside a recorded range (the range starting at or before it).
      DROP TRIGGER entries_no_update;
      CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        WHEN NOT (NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.source = OLD.source
          AND NEW.action = OLD.action AND NEW.outcome = OLD.outcome
          AND NEW.time_ms = OLD.time_ms AND NEW.received_at_ms = OLD.received_at_ms
          AND NEW.leaf_hash = OLD.leaf_hash AND NEW.target_type IS OLD.target_type
          AND (NEW.record = '' OR OLD.record = '')
          AND (SELECT p.last_seq FROM purged_payloads p WHERE p.seq <= OLD.seq
               ORDER BY p.seq DESC LIMIT 1) >= OLD.seq)
        BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
    `,
  },
  {
    version: 14,
    name: 'entry_key_tables',
    sql: `
      -- Actor and target ids are random keys: as indexes of entries, every group commit rewrote
      -- whole pages of them for a few rows each (15-33 KiB written per 400-byte event). They
      -- move to key tables that the writer fills from entries in large batches, off the commit
      -- path (key-indexer.ts). They are derived data: entries stay the only record, and rows
      -- at or above indexed_below are searched in entries itself (search-sql.ts).
      -- Column names differ from entries' so a join of the two needs no qualifiers.
      CREATE TABLE entry_actor_keys (
        actor TEXT NOT NULL,
        entry_seq INTEGER NOT NULL,
        PRIMARY KEY (actor, entry_seq)
      ) WITHOUT ROWID;
      CREATE TABLE entry_actor_time_keys (
        actor TEXT NOT NULL,
        time INTEGER NOT NULL,
        entry_seq INTEGER NOT NULL,
        PRIMARY KEY (actor, time, entry_seq)
      ) WITHOUT ROWID;
      CREATE TABLE entry_target_keys (
        target TEXT NOT NULL,
        entry_seq INTEGER NOT NULL,
        PRIMARY KEY (target, entry_seq)
      ) WITHOUT ROWID;
      -- Every entry with seq < indexed_below has its keys above (moved in the same transaction).
      CREATE TABLE entry_keys_position (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        indexed_below INTEGER NOT NULL
      );
      INSERT INTO entry_actor_keys SELECT actor_id, seq FROM entries ORDER BY actor_id, seq;
      INSERT INTO entry_actor_time_keys
        SELECT actor_id, time_ms, seq FROM entries ORDER BY actor_id, time_ms, seq;
      INSERT INTO entry_target_keys
        SELECT target_id, seq FROM entries WHERE target_id IS NOT NULL ORDER BY target_id, seq;
      INSERT INTO entry_keys_position VALUES (1, (SELECT coalesce(max(seq), -1) + 1 FROM entries));
      DROP INDEX entries_actor;
      DROP INDEX entries_target;
      DROP INDEX entries_actor_time;
      -- A purge replaces an indexed entry's ids with digests and a restore puts them back: the
      -- new ids get keys too. Old keys may stay; searches also test the entry's own column.
      CREATE TRIGGER entries_keys_follow_ids AFTER UPDATE OF actor_id, target_id ON entries
        WHEN NEW.seq < (SELECT indexed_below FROM entry_keys_position)
        BEGIN
          INSERT OR IGNORE INTO entry_actor_keys VALUES (NEW.actor_id, NEW.seq);
          INSERT OR IGNORE INTO entry_actor_time_keys VALUES (NEW.actor_id, NEW.time_ms, NEW.seq);
          INSERT OR IGNORE INTO entry_target_keys
            SELECT NEW.target_id, NEW.seq WHERE NEW.target_id IS NOT NULL;
        END;
    `,
  },
  {
    version: 15,
    name: 'alert_read_paths',
    sql: `
      -- Each source row carries its alert's state (alert writes keep them equal), so a page
      -- by source and state is one walk of this index, however rare the pair.
      ALTER TABLE alert_sources ADD COLUMN state TEXT NOT NULL DEFAULT '';
      UPDATE alert_sources
        SET state = (SELECT a.state FROM alerts a WHERE a.id = alert_sources.alert_id);
      CREATE INDEX alert_sources_state ON alert_sources (source, state, alert_id);
      -- Metrics group by severity, state and disposition over a time (id) range. SQLite has no
      -- hash aggregate: from alerts_response it sorts every row in the range. This index lets
      -- it skip-scan instead (a seek per group present, then its id range, already grouped)...
      CREATE INDEX alerts_metrics ON alerts (severity, state, disposition, id, raised_at_ms,
        acknowledged_at_ms, resolved_at_ms);
      -- ...which SQLite's planner only does when sqlite_stat1 says the leading columns have few
      -- values. No ANALYZE runs on its own, so that is stated here (a real ANALYZE replaces it
      -- with measured figures, which choose the same or a full ordered scan). ANALYZE of
      -- sqlite_schema only creates sqlite_stat1 when it is missing.
      ANALYZE sqlite_schema;
      DELETE FROM sqlite_stat1 WHERE tbl = 'alerts' AND idx = 'alerts_metrics';
      INSERT INTO sqlite_stat1 (tbl, idx, stat)
        VALUES ('alerts', 'alerts_metrics', '1000000 250000 83334 20000 1 1 1 1');
    `,
  },
  {
    version: 16,
    name: 'entry_key_buckets',
    sql: `
      -- Migration 14's key tables were keyed by (actor or target, seq): each batch of 4,096
      -- random keys landed on pages spread over the whole table, so a batch rewrote more
      -- pages the larger the log (1.64 WAL pages per row at 1,000,000 entries, 424 ms a
      -- batch, and the writer holds the only write lock meanwhile). Led by the seq's bucket
      -- (seq >> 16: 65,536 entries), a batch lands only in the newest bucket's pages, whose
      -- number does not grow with the log. A search walks the buckets newest first and stops
      -- at its limit (search-sql.ts); bucket order is seq order, so no sort is added, except
      -- for one actor by event time, which now sorts that actor's keys in its time range.
      DROP TRIGGER entries_keys_follow_ids;
      CREATE TABLE entry_actor_keys_bucketed (
        bucket INTEGER NOT NULL,
        actor TEXT NOT NULL,
        entry_seq INTEGER NOT NULL,
        PRIMARY KEY (bucket, actor, entry_seq)
      ) WITHOUT ROWID;
      INSERT INTO entry_actor_keys_bucketed
        SELECT entry_seq >> 16, actor, entry_seq FROM entry_actor_keys ORDER BY 1, 2, 3;
      DROP TABLE entry_actor_keys;
      ALTER TABLE entry_actor_keys_bucketed RENAME TO entry_actor_keys;
      CREATE TABLE entry_actor_time_keys_bucketed (
        bucket INTEGER NOT NULL,
        actor TEXT NOT NULL,
        time INTEGER NOT NULL,
        entry_seq INTEGER NOT NULL,
        PRIMARY KEY (bucket, actor, time, entry_seq)
      ) WITHOUT ROWID;
      INSERT INTO entry_actor_time_keys_bucketed
        SELECT entry_seq >> 16, actor, time, entry_seq FROM entry_actor_time_keys ORDER BY 1, 2, 3, 4;
      DROP TABLE entry_actor_time_keys;
      ALTER TABLE entry_actor_time_keys_bucketed RENAME TO entry_actor_time_keys;
      CREATE TABLE entry_target_keys_bucketed (
        bucket INTEGER NOT NULL,
        target TEXT NOT NULL,
        entry_seq INTEGER NOT NULL,
        PRIMARY KEY (bucket, target, entry_seq)
      ) WITHOUT ROWID;
      INSERT INTO entry_target_keys_bucketed
        SELECT entry_seq >> 16, target, entry_seq FROM entry_target_keys ORDER BY 1, 2, 3;
      DROP TABLE entry_target_keys;
      ALTER TABLE entry_target_keys_bucketed RENAME TO entry_target_keys;
      CREATE TRIGGER entries_keys_follow_ids AFTER UPDATE OF actor_id, target_id ON entries
        WHEN NEW.seq < (SELECT indexed_below FROM entry_keys_position)
        BEGIN
          INSERT OR IGNORE INTO entry_actor_keys VALUES (NEW.seq >> 16, NEW.actor_id, NEW.seq);
          INSERT OR IGNORE INTO entry_actor_time_keys
            VALUES (NEW.seq >> 16, NEW.actor_id, NEW.time_ms, NEW.seq);
          INSERT OR IGNORE INTO entry_target_keys
            SELECT NEW.seq >> 16, NEW.target_id, NEW.seq WHERE NEW.target_id IS NOT NULL;
        END;
    `,
  },
];
