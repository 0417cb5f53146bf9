import type { DocMove } from '../doc-move.js';
import { ACCOUNT_DOC_MOVES } from '../tables/accounts/account-documents.js';
import { ALERT_DOC_MOVES } from '../tables/alerts/alert-doc-moves.js';
import { CREDENTIAL_DOC_MOVES } from '../tables/credentials/credential-doc-moves.js';
import { MONITOR_DOC_MOVES } from '../tables/monitor/monitor-doc-moves.js';
import { DROP_HALF_MOVED_DELIVERIES, NOTIFY_DOC_MOVES } from '../tables/notify/notify-doc-moves.js';
import { SOURCES_DOC_MOVES } from '../tables/sources/sources-doc-moves.js';

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
    version: 5,
    name: 'accounts',
    sql: `
      -- People and service principals. UNIQUE constraints keep names and OpenID identities
      -- unique (no lookup documents beside them); several accounts without an identity may
      -- exist, since NULLs never collide in a UNIQUE constraint.
      CREATE TABLE accounts (
        id TEXT COLLATE "C" PRIMARY KEY,
        kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('person', 'service')),
        name TEXT COLLATE "C" NOT NULL CONSTRAINT accounts_name_unique UNIQUE,
        display_name TEXT COLLATE "C",
        email TEXT COLLATE "C",
        password_hash TEXT COLLATE "C",
        oidc_issuer TEXT COLLATE "C",
        oidc_subject TEXT COLLATE "C",
        disabled SMALLINT NOT NULL CHECK (disabled IN (0, 1)),
        created_at_ms BIGINT NOT NULL,
        created_by TEXT COLLATE "C" NOT NULL,
        sign_in_failures BIGINT NOT NULL,
        sign_in_last_failure_ms BIGINT,
        sign_in_locked_until_ms BIGINT,
        sign_in_last_success_ms BIGINT,
        credentials_set_by TEXT COLLATE "C" NOT NULL,
        version BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        CHECK ((oidc_issuer IS NULL) = (oidc_subject IS NULL)),
        CONSTRAINT accounts_oidc_unique UNIQUE (oidc_issuer, oidc_subject)
      );
      CREATE INDEX accounts_kind ON accounts (kind, id);

      -- One row per role held: "holders of a role" and "enabled admins" are index lookups.
      CREATE TABLE account_roles (
        account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
        role TEXT COLLATE "C" NOT NULL,
        sources TEXT COLLATE "C",
        position INTEGER NOT NULL,
        PRIMARY KEY (account_id, role)
      );
      CREATE INDEX account_roles_role ON account_roles (role, account_id);

      -- Four-eyes requests; listed by state, newest first, and looked up by subject.
      CREATE TABLE approvals (
        id TEXT COLLATE "C" PRIMARY KEY,
        change TEXT COLLATE "C" NOT NULL,
        subject_id TEXT COLLATE "C" NOT NULL,
        subject_name TEXT COLLATE "C" NOT NULL,
        requested_by_id TEXT COLLATE "C" NOT NULL,
        requested_by_name TEXT COLLATE "C" NOT NULL,
        requested_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        reason TEXT COLLATE "C",
        status TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'expired')),
        decided_by_id TEXT COLLATE "C",
        decided_by_name TEXT COLLATE "C",
        decided_at_ms BIGINT,
        decision_reason TEXT COLLATE "C",
        payload TEXT COLLATE "C" NOT NULL,
        version BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
      );
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
        id TEXT COLLATE "C" PRIMARY KEY,
        principal_id TEXT COLLATE "C" NOT NULL,
        secret_hash TEXT COLLATE "C" NOT NULL UNIQUE,
        label TEXT COLLATE "C",
        roles TEXT COLLATE "C",
        created_at_ms BIGINT NOT NULL,
        created_by TEXT COLLATE "C" NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        revoked_at_ms BIGINT,
        revoked_by TEXT COLLATE "C",
        last_used_at_ms BIGINT,
        awaiting_approval INTEGER NOT NULL CHECK (awaiting_approval IN (0, 1)),
        version BIGINT NOT NULL
      );
      CREATE INDEX api_tokens_principal ON api_tokens (principal_id, created_at_ms, id);
      CREATE TABLE sessions (
        id TEXT COLLATE "C" PRIMARY KEY,
        principal_id TEXT COLLATE "C" NOT NULL,
        method TEXT COLLATE "C" NOT NULL CHECK (method IN ('password', 'oidc')),
        created_at_ms BIGINT NOT NULL,
        last_seen_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        ip TEXT COLLATE "C",
        user_agent TEXT COLLATE "C",
        version BIGINT NOT NULL
      );
      CREATE INDEX sessions_principal ON sessions (principal_id, created_at_ms);
      CREATE INDEX sessions_expires ON sessions (expires_at_ms);
      CREATE TABLE oidc_flows (
        id TEXT COLLATE "C" PRIMARY KEY,
        nonce TEXT COLLATE "C" NOT NULL,
        code_verifier TEXT COLLATE "C" NOT NULL,
        return_to TEXT COLLATE "C" NOT NULL,
        browser_hash TEXT COLLATE "C" NOT NULL,
        cli_redirect TEXT COLLATE "C",
        cli_challenge TEXT COLLATE "C",
        cli_state TEXT COLLATE "C",
        created_at_ms BIGINT NOT NULL,
        expires_at_ms BIGINT NOT NULL
      );
      CREATE INDEX oidc_flows_expires ON oidc_flows (expires_at_ms);
      CREATE TABLE cli_handoffs (
        id TEXT COLLATE "C" PRIMARY KEY,
        principal_id TEXT COLLATE "C" NOT NULL,
        challenge TEXT COLLATE "C" NOT NULL,
        expires_at_ms BIGINT NOT NULL
      );
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
  {
    version: 8,
    name: 'notify_sources',
    sql: `
      -- One row per notification delivery, queued → delivered | dead: a claim, an attempt's
      -- result and a move between states are each one conditional UPDATE on the version.
      -- The sending loop reads (state, next_attempt_at_ms); the API pages (state, id).
      CREATE TABLE deliveries (
        id TEXT COLLATE "C" PRIMARY KEY,
        channel TEXT COLLATE "C" NOT NULL,
        state TEXT COLLATE "C" NOT NULL CHECK (state IN ('queued', 'delivered', 'dead')),
        next_attempt_at_ms BIGINT NOT NULL,
        attempts BIGINT NOT NULL CHECK (attempts >= 0),
        replays BIGINT NOT NULL CHECK (replays >= 0),
        lease_owner TEXT COLLATE "C",
        lease_until_ms BIGINT,
        last_error TEXT,
        payload TEXT NOT NULL,
        history TEXT NOT NULL,
        created_at_ms BIGINT NOT NULL,
        finished_at_ms BIGINT,
        version BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
      );
      CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at_ms, id);
      CREATE INDEX deliveries_by_state ON deliveries (state, id);
      -- The notification settings: one document (channels with sealed secrets), replaced whole.
      CREATE TABLE notification_settings (
        id TEXT COLLATE "C" PRIMARY KEY CHECK (id = 'current'),
        settings TEXT NOT NULL,
        version BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
      );
      -- Expected sources; silence: default (the server's limit), off, or custom (max_silence_ms).
      CREATE TABLE sources (
        name TEXT COLLATE "C" PRIMARY KEY,
        origin TEXT COLLATE "C" NOT NULL CHECK (origin IN ('declared', 'ingest_key', 'seen')),
        description TEXT,
        silence TEXT COLLATE "C" NOT NULL CHECK (silence IN ('default', 'off', 'custom')),
        max_silence_ms BIGINT,
        created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL,
        version BIGINT NOT NULL,
        CHECK ((silence = 'custom') = (max_silence_ms IS NOT NULL))
      );
      -- What the observer learned per source (rate buckets and skew histogram bounded, as JSON).
      CREATE TABLE source_stats (
        source TEXT COLLATE "C" PRIMARY KEY,
        first_seq BIGINT,
        last_seq BIGINT,
        last_received_at_ms BIGINT,
        last_time_ms BIGINT,
        total BIGINT NOT NULL,
        minutes TEXT NOT NULL,
        hours TEXT NOT NULL,
        skew TEXT NOT NULL,
        skew_alert_hour BIGINT,
        silence_since_ms BIGINT,
        silence_last_seq BIGINT,
        silence_detected_at_ms BIGINT,
        silence_alert_id TEXT COLLATE "C",
        version BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL
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
        source TEXT COLLATE "C" PRIMARY KEY,
        min_period TEXT,
        max_period TEXT,
        archive INTEGER NOT NULL CHECK (archive IN (0, 1)),
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL,
        version BIGINT NOT NULL
      );
      -- Legal holds: an entry matching every non-NULL criterion of a live hold is never purged.
      CREATE TABLE legal_holds (
        id TEXT COLLATE "C" PRIMARY KEY,
        matter TEXT NOT NULL,
        reason TEXT NOT NULL,
        source TEXT COLLATE "C",
        actor_id TEXT COLLATE "C",
        target_id TEXT COLLATE "C",
        from_ms BIGINT,
        to_ms BIGINT,
        placed_at_ms BIGINT NOT NULL,
        placed_by TEXT NOT NULL,
        released_at_ms BIGINT,
        released_by TEXT,
        version BIGINT NOT NULL
      );
      -- One row per entry whose payload a recorded retention.purge event (purge_seq) removed;
      -- restored_at_ms is set when a payload matching the leaf hash was put back. The row stays
      -- after a restore, so re-applying recorded purges at start leaves a restore alone.
      CREATE TABLE purged_payloads (
        seq BIGINT PRIMARY KEY,
        purge_seq BIGINT NOT NULL,
        purged_at_ms BIGINT NOT NULL,
        restored_at_ms BIGINT
      );
      CREATE INDEX purged_payloads_purge ON purged_payloads (purge_seq, seq);
      -- The triggers name tables through TG_TABLE_SCHEMA: they run under the caller's search_path.
      CREATE FUNCTION evident_purge_needs_event() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE found BOOLEAN;
        BEGIN
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.entries e WHERE e.seq = $1
              AND e.source = ''evident'' AND e.action = ''retention.purge'' AND e.seq > $2)',
            TG_TABLE_SCHEMA) INTO found USING NEW.purge_seq, NEW.seq;
          IF NOT found THEN
            RAISE EXCEPTION 'a purge must name the retention.purge event that covers it'
              USING ERRCODE = 'restrict_violation';
          END IF;
          RETURN NEW;
        END;
      $$;
      CREATE TRIGGER purged_payloads_need_event BEFORE INSERT ON purged_payloads
        FOR EACH ROW EXECUTE FUNCTION evident_purge_needs_event();
      CREATE TRIGGER purged_payloads_no_delete BEFORE DELETE OR TRUNCATE ON purged_payloads
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('purged payloads are append-only');
      CREATE FUNCTION evident_restore_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.seq = OLD.seq AND NEW.purge_seq = OLD.purge_seq
              AND NEW.purged_at_ms = OLD.purged_at_ms AND OLD.restored_at_ms IS NULL THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'purged payloads are append-only' USING ERRCODE = 'restrict_violation';
        END;
      $$;
      CREATE TRIGGER purged_payloads_restore_only BEFORE UPDATE ON purged_payloads
        FOR EACH ROW EXECUTE FUNCTION evident_restore_only();
      -- The one exception to append-only entries: for a seq listed above, the payload (record)
      -- may be emptied or put back, and actor_id / target_id replaced by their digests. seq,
      -- id, leaf hash, source, action, outcome and both times never change. DELETE and
      -- TRUNCATE stay refused for the whole statement.
      CREATE FUNCTION evident_payload_only() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE found BOOLEAN;
        BEGIN
          IF NEW.seq = OLD.seq AND NEW.id = OLD.id AND NEW.source = OLD.source
              AND NEW.action = OLD.action AND NEW.outcome = OLD.outcome
              AND NEW.time_ms = OLD.time_ms AND NEW.received_at_ms = OLD.received_at_ms
              AND NEW.leaf_hash = OLD.leaf_hash
              AND NEW.target_type IS NOT DISTINCT FROM OLD.target_type
              AND (NEW.record = '' OR OLD.record = '') THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.purged_payloads WHERE seq = $1)',
              TG_TABLE_SCHEMA) INTO found USING OLD.seq;
            IF found THEN
              RETURN NEW;
            END IF;
          END IF;
          RAISE EXCEPTION 'entries are append-only' USING ERRCODE = 'restrict_violation';
        END;
      $$;
      DROP TRIGGER entries_append_only ON entries;
      CREATE TRIGGER entries_append_only BEFORE DELETE OR TRUNCATE ON entries
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('entries are append-only');
      CREATE TRIGGER entries_payload_only BEFORE UPDATE ON entries
        FOR EACH ROW EXECUTE FUNCTION evident_payload_only();
    `,
  },
  {
    version: 10,
    name: 'reviews',
    sql: `
      -- Review definitions (docs/reviews.md): what is reviewed, how often, by whom. The
      -- scope and reviewers are small JSON lists; a change bumps version.
      CREATE TABLE review_definitions (
        id TEXT COLLATE "C" PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL UNIQUE,
        kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('log', 'access')),
        cadence TEXT COLLATE "C" NOT NULL
          CHECK (cadence IN ('daily', 'weekly', 'monthly', 'quarterly', 'yearly')),
        time_zone TEXT NOT NULL,
        sources TEXT NOT NULL,
        filter TEXT NOT NULL,
        reviewers TEXT NOT NULL,
        due_days BIGINT NOT NULL CHECK (due_days >= 1),
        countersign BIGINT NOT NULL CHECK (countersign IN (0, 1)),
        created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
        updated_by TEXT NOT NULL,
        version BIGINT NOT NULL
      );
      -- One occurrence per definition and period: the unique pair is what makes generation
      -- exactly-once across restarts and processes. The definition column is the copy it was made
      -- from (a later change of the definition never reaches it); the pin (tree_size …
      -- snapshot_sha256) is written once, at start; the sign-off once, after.
      CREATE TABLE review_occurrences (
        id TEXT COLLATE "C" PRIMARY KEY,
        definition_id TEXT COLLATE "C" NOT NULL REFERENCES review_definitions (id),
        period_start_ms BIGINT NOT NULL,
        period_end_ms BIGINT NOT NULL,
        due_at_ms BIGINT NOT NULL,
        definition TEXT NOT NULL,
        status TEXT COLLATE "C" NOT NULL
          CHECK (status IN ('open', 'in_progress', 'awaiting_countersign', 'signed_off')),
        started_at_ms BIGINT,
        started_by TEXT,
        tree_size BIGINT,
        root_hash TEXT,
        checkpoint TEXT,
        items TEXT,
        items_sha256 TEXT,
        item_count BIGINT,
        actors TEXT,
        snapshot TEXT,
        snapshot_sha256 TEXT,
        signed_off_at_ms BIGINT,
        signed_off_by TEXT,
        sign_off_event TEXT,
        decision TEXT COLLATE "C" CHECK (decision IN ('no_findings', 'findings')),
        notes TEXT,
        countersigned_at_ms BIGINT,
        countersigned_by TEXT,
        overdue_alert_id TEXT,
        created_at_ms BIGINT NOT NULL,
        version BIGINT NOT NULL,
        UNIQUE (definition_id, period_start_ms)
      );
      CREATE INDEX review_occurrences_due ON review_occurrences (status, due_at_ms);
      CREATE INDEX review_occurrences_period ON review_occurrences (period_start_ms, id);
      -- Observations, access decisions and corrections on an occurrence, in order.
      CREATE TABLE review_notes (
        occurrence_id TEXT COLLATE "C" NOT NULL REFERENCES review_occurrences (id),
        id TEXT COLLATE "C" NOT NULL,
        kind TEXT COLLATE "C" NOT NULL CHECK (kind IN ('observation', 'decision', 'correction')),
        item TEXT NOT NULL,
        note TEXT NOT NULL,
        decision TEXT,
        roles TEXT,
        alert_id TEXT,
        approval_id TEXT,
        event_id TEXT,
        by_id TEXT NOT NULL,
        at_ms BIGINT NOT NULL,
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
        id TEXT COLLATE "C" PRIMARY KEY,
        principal_id TEXT COLLATE "C" NOT NULL,
        name TEXT NOT NULL,
        query TEXT NOT NULL,
        date_range TEXT COLLATE "C" NOT NULL,
        created_at_ms BIGINT NOT NULL,
        updated_at_ms BIGINT NOT NULL,
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
        created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        expires_at_ms BIGINT NOT NULL,
        revoked_at_ms BIGINT,
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
        created_at_ms BIGINT NOT NULL,
        created_by TEXT NOT NULL,
        version INTEGER NOT NULL,
        UNIQUE (subject_type, subject, database_name, upstream_role)
      );
    `,
  },
  {
    version: 13,
    name: 'payload_partitions',
    sql: `
      -- Retention at scale (docs/retention.md, "PostgreSQL at scale"). What a purge removes —
      -- the record and the personal ids — moves out of the log's table into entry_payloads,
      -- partitioned by received_at month, so a purge of whole months empties partitions
      -- instead of rewriting millions of rows. entry_leaves keeps what proofs and verify need
      -- (seq, id, leaf hash) and the non-personal columns, plus sha256 digests of the ids, so
      -- a hold on a person still tells that person's purged entries apart. The view "entries"
      -- joins them back: every read keeps its SQL.
      ALTER TABLE entries RENAME TO entry_leaves;
      ALTER TABLE entry_leaves ADD COLUMN actor_digest TEXT COLLATE "C";
      ALTER TABLE entry_leaves ADD COLUMN target_digest TEXT COLLATE "C";
      DROP TRIGGER entries_payload_only ON entry_leaves;
      DROP FUNCTION evident_payload_only();
      -- Before migration 13 a purge had already replaced the ids of a purged entry by digests.
      UPDATE entry_leaves SET
        actor_digest = CASE WHEN record = '' THEN actor_id
          ELSE 'sha256:' || encode(sha256(convert_to(actor_id, 'UTF8')), 'hex') END,
        target_digest = CASE WHEN target_id IS NULL OR record = '' THEN target_id
          ELSE 'sha256:' || encode(sha256(convert_to(target_id, 'UTF8')), 'hex') END;
      ALTER TABLE entry_leaves ALTER COLUMN actor_digest SET NOT NULL;
      DROP TRIGGER entries_append_only ON entry_leaves;
      CREATE TRIGGER entry_leaves_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON entry_leaves
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('entries are append-only');

      -- No DEFAULT partition: a row whose month has no partition fails its insert instead of
      -- collecting silently where a month's purge cannot reach it. The append path creates the
      -- month (and the next) before it inserts (evident_payload_month).
      CREATE TABLE entry_payloads (
        seq BIGINT NOT NULL,
        received_at_ms BIGINT NOT NULL,
        time_ms BIGINT NOT NULL,
        actor_id TEXT COLLATE "C" NOT NULL,
        target_id TEXT COLLATE "C",
        record TEXT NOT NULL CHECK (record <> ''),
        PRIMARY KEY (seq, received_at_ms)
      ) PARTITION BY RANGE (received_at_ms);
      CREATE INDEX entry_payloads_actor ON entry_payloads (actor_id, seq);
      CREATE INDEX entry_payloads_target ON entry_payloads (target_id, seq);
      CREATE INDEX entry_payloads_actor_time ON entry_payloads (actor_id, time_ms, seq);

      -- The partition of the UTC month holding at_ms, created if missing; named by the month.
      CREATE FUNCTION evident_payload_month(schema_name TEXT, at_ms BIGINT) RETURNS TEXT
      LANGUAGE plpgsql AS $$
        DECLARE
          first_day TIMESTAMP := date_trunc('month', to_timestamp(at_ms / 1000.0) AT TIME ZONE 'UTC');
          part TEXT := 'entry_payloads_' || to_char(first_day, 'YYYYMM');
        BEGIN
          IF to_regclass(format('%I.%I', schema_name, part)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.entry_payloads FOR VALUES FROM (%s) TO (%s)',
              schema_name, part, schema_name,
              (extract(epoch FROM first_day AT TIME ZONE 'UTC') * 1000)::BIGINT,
              (extract(epoch FROM (first_day + INTERVAL '1 month') AT TIME ZONE 'UTC') * 1000)::BIGINT);
          END IF;
          RETURN part;
        END;
      $$;
      SELECT evident_payload_month(current_schema(), m)
        FROM (SELECT DISTINCT (extract(epoch FROM date_trunc('month',
                to_timestamp(received_at_ms / 1000.0) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') * 1000)::BIGINT AS m
              FROM entry_leaves) months;
      INSERT INTO entry_payloads (seq, received_at_ms, time_ms, actor_id, target_id, record)
        SELECT seq, received_at_ms, time_ms, actor_id, target_id, record FROM entry_leaves
        WHERE record <> '';
      DROP INDEX entries_actor, entries_target, entries_actor_time;
      ALTER TABLE entry_leaves DROP COLUMN record, DROP COLUMN actor_id, DROP COLUMN target_id;

      -- Purges are recorded as seq ranges: purged_payloads.seq is the first seq of a range,
      -- last_seq its last (rows made before this migration are ranges of one). A payload put
      -- back from an archive is a row of restored_payloads (rows made before: restored_at_ms).
      ALTER TABLE purged_payloads ADD COLUMN last_seq BIGINT;
      ALTER TABLE purged_payloads DISABLE TRIGGER purged_payloads_restore_only;
      UPDATE purged_payloads SET last_seq = seq;
      ALTER TABLE purged_payloads ENABLE TRIGGER purged_payloads_restore_only;
      ALTER TABLE purged_payloads ALTER COLUMN last_seq SET NOT NULL;
      ALTER TABLE purged_payloads ADD CHECK (last_seq >= seq);
      CREATE TABLE restored_payloads (
        seq BIGINT PRIMARY KEY,
        restored_at_ms BIGINT NOT NULL
      );
      CREATE TRIGGER restored_payloads_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON restored_payloads
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('restored payloads are append-only');
      CREATE OR REPLACE FUNCTION evident_purge_needs_event() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE found BOOLEAN;
        BEGIN
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.entry_leaves e WHERE e.seq = $1
              AND e.source = ''evident'' AND e.action = ''retention.purge'' AND e.seq > $2)',
            TG_TABLE_SCHEMA) INTO found USING NEW.purge_seq, NEW.last_seq;
          IF NOT found THEN
            RAISE EXCEPTION 'a purge must name the retention.purge event that covers it'
              USING ERRCODE = 'restrict_violation';
          END IF;
          RETURN NEW;
        END;
      $$;
      CREATE OR REPLACE FUNCTION evident_restore_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.seq = OLD.seq AND NEW.last_seq = OLD.last_seq AND NEW.purge_seq = OLD.purge_seq
              AND NEW.purged_at_ms = OLD.purged_at_ms AND OLD.restored_at_ms IS NULL THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION 'purged payloads are append-only' USING ERRCODE = 'restrict_violation';
        END;
      $$;

      -- A payload row is never changed; it is deleted only when a recorded purge range covers
      -- its seq (a whole partition is emptied only by the purge path, after the same check;
      -- verify reports any other missing payload as payload_missing). TRUNCATE of the whole
      -- table is refused.
      CREATE FUNCTION evident_payload_delete() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE found BOOLEAN;
        BEGIN
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM (SELECT last_seq FROM %I.purged_payloads
              WHERE seq <= $1 ORDER BY seq DESC LIMIT 1) r WHERE r.last_seq >= $1)',
            TG_TABLE_SCHEMA) INTO found USING OLD.seq;
          IF found THEN
            RETURN OLD;
          END IF;
          RAISE EXCEPTION 'entries are append-only' USING ERRCODE = 'restrict_violation';
        END;
      $$;
      CREATE TRIGGER entry_payloads_no_update BEFORE UPDATE ON entry_payloads
        FOR EACH ROW EXECUTE FUNCTION evident_append_only('entries are append-only');
      CREATE TRIGGER entry_payloads_purge_only BEFORE DELETE ON entry_payloads
        FOR EACH ROW EXECUTE FUNCTION evident_payload_delete();
      CREATE TRIGGER entry_payloads_no_truncate BEFORE TRUNCATE ON entry_payloads
        FOR EACH STATEMENT EXECUTE FUNCTION evident_append_only('entries are append-only');

      -- Both keys join: the partition key lets the planner prune to one month per leaf.
      -- A purged entry reads as the empty record with its ids as digests.
      CREATE VIEW entries AS
        SELECT l.seq, l.id, l.source, p.actor_id, l.action, l.target_type, p.target_id,
               l.outcome, l.time_ms, l.received_at_ms, COALESCE(p.record, '') AS record,
               l.leaf_hash, l.actor_digest, l.target_digest
        FROM entry_leaves l
        LEFT JOIN entry_payloads p ON p.seq = l.seq AND p.received_at_ms = l.received_at_ms;
      -- Code written for the old table (a bulk load, COPY) may still insert into "entries".
      CREATE FUNCTION evident_insert_entry() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          EXECUTE format('INSERT INTO %I.entry_leaves (seq, id, source, action, target_type, outcome,
              time_ms, received_at_ms, leaf_hash, actor_digest, target_digest)
              VALUES ($1.seq, $1.id, $1.source, $1.action, $1.target_type, $1.outcome, $1.time_ms,
                $1.received_at_ms, $1.leaf_hash,
                CASE WHEN $1.record = '''' THEN $1.actor_id
                  ELSE ''sha256:'' || encode(sha256(convert_to($1.actor_id, ''UTF8'')), ''hex'') END,
                CASE WHEN $1.target_id IS NULL OR $1.record = '''' THEN $1.target_id
                  ELSE ''sha256:'' || encode(sha256(convert_to($1.target_id, ''UTF8'')), ''hex'') END)',
            TG_TABLE_SCHEMA) USING NEW;
          IF NEW.record <> '' THEN
            EXECUTE format('SELECT %I.evident_payload_month($1, $2)', TG_TABLE_SCHEMA)
              USING TG_TABLE_SCHEMA, NEW.received_at_ms;
            EXECUTE format('INSERT INTO %I.entry_payloads (seq, received_at_ms, time_ms, actor_id, target_id, record)
                VALUES ($1.seq, $1.received_at_ms, $1.time_ms, $1.actor_id, $1.target_id, $1.record)',
              TG_TABLE_SCHEMA) USING NEW;
          END IF;
          RETURN NEW;
        END;
      $$;
      CREATE TRIGGER entries_insert INSTEAD OF INSERT ON entries
        FOR EACH ROW EXECUTE FUNCTION evident_insert_entry();
      -- Through the view nothing changes: a purge or a restore works on entry_payloads.
      CREATE TRIGGER entries_append_only INSTEAD OF UPDATE OR DELETE ON entries
        FOR EACH ROW EXECUTE FUNCTION evident_append_only('entries are append-only');
    `,
  },
  {
    version: 15,
    name: 'alert_read_paths',
    sql: `
      -- Each source row carries its alert's state (alert writes keep them equal), so a page
      -- by source and state is one walk of this index, however rare the pair.
      ALTER TABLE alert_sources ADD COLUMN state TEXT COLLATE "C" NOT NULL DEFAULT '';
      UPDATE alert_sources s SET state = a.state FROM alerts a WHERE a.id = s.alert_id;
      CREATE INDEX alert_sources_state ON alert_sources (source, state, alert_id);
    `,
  },
  {
    version: 16,
    name: 'entries_with_payload',
    sql: `
      -- Searches by actor or target: the entries that still have their payload, with seq and
      -- both times taken from entry_payloads. PostgreSQL derives equalities across a join but
      -- not ranges, so through "entries" (whose seq is entry_leaves') a seq range, a keyset
      -- cursor or an order by time never reached the partitions' (actor_id, seq),
      -- (actor_id, time_ms, seq) and (target_id, seq) indexes.
      CREATE VIEW entries_with_payload AS
        SELECT p.seq, l.id, l.source, p.actor_id, l.action, l.target_type, p.target_id, l.outcome,
          p.time_ms, p.received_at_ms, p.record, l.leaf_hash, l.actor_digest, l.target_digest
        FROM entry_payloads p
        JOIN entry_leaves l ON l.seq = p.seq AND l.received_at_ms = p.received_at_ms;
    `,
  },
];
