/**
 * The alert tables (migration 7) as Kysely sees them: column name → type, snake_case as in the
 * DDL. Numbers are BIGINT on PostgreSQL and arrive as strings there; row mappers convert.
 */
export interface AlertTables {
  alerts: AlertsTable;
  alert_sources: AlertSourcesTable;
  alert_seqs: AlertSeqsTable;
  alert_groups: AlertGroupsTable;
  alert_history: AlertHistoryTable;
  alert_keys: AlertKeysTable;
  /** The log's entries, read only: a step's seq is its event's (joined by event id). */
  entries: EntriesView;
}

type Int = number | string;

export interface AlertsTable {
  /** A ULID whose time is raised_at_ms: id order is raise order. */
  id: string;
  alert_key: string;
  rule_id: string;
  title: string;
  description: string | null;
  severity: string;
  state: string;
  /** JSON: the alert's sources, sorted (alert_sources holds them one per row for filters). */
  sources_json: string;
  /** JSON: the rule's group, field → value (alert_groups holds it one per row for filters). */
  group_json: string | null;
  /** JSON: the first MAX_STORED_SEQS triggering seqs, ascending. */
  seqs_json: string;
  /** JSON: each source's seqs, when the raiser kept them per source. */
  seqs_by_source_json: string | null;
  seq_count: Int;
  triggered_at_ms: Int;
  raised_at_ms: Int;
  assignee: string | null;
  acknowledged_at_ms: Int | null;
  acknowledged_by: string | null;
  resolved_at_ms: Int | null;
  resolved_by: string | null;
  disposition: string | null;
  resolution_note: string | null;
  /** Handling steps so far (history rows), the raise included. */
  steps: Int;
  updated_at_ms: Int;
  version: Int;
}

export interface AlertSourcesTable {
  alert_id: string;
  source: string;
  /** The alert's state, kept equal to `alerts.state` by every write (migration 15). */
  state: string;
}

export interface AlertSeqsTable {
  seq: Int;
  alert_id: string;
  /** The source of the entry at seq; null when an old alert did not keep seqs per source. */
  source: string | null;
}

export interface AlertGroupsTable {
  alert_id: string;
  field: string;
  value: string;
}

export interface AlertHistoryTable {
  alert_id: string;
  /** 0 for the raise, then one more per step. */
  step: Int;
  /** The id of the log event recording the step (the alert's own id for the raise). */
  event_id: string;
  action: string;
  at_ms: Int;
  /** JSON: the ActorSnapshot of who took the step. */
  by_json: string;
  from_state: string | null;
  to_state: string;
  disposition: string | null;
  note: string | null;
  assignee: string | null;
  text: string | null;
}

export interface AlertKeysTable {
  alert_key: string;
  alert_id: string;
  created_at_ms: Int;
}

export interface EntriesView {
  seq: Int;
  id: string;
  source: string;
}
