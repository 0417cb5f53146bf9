/** The review tables (migration 10), as Kysely sees them: snake_case columns. */

export interface ReviewDefinitionsTable {
  id: string;
  name: string;
  kind: string;
  cadence: string;
  time_zone: string;
  /** JSON list of source patterns. */
  sources: string;
  /** JSON object (ReviewFilter). */
  filter: string;
  /** JSON list of account ids or one `role:<role>`. */
  reviewers: string;
  due_days: number;
  countersign: number;
  created_at_ms: number;
  created_by: string;
  updated_at_ms: number;
  updated_by: string;
  version: number;
}

export interface ReviewOccurrencesTable {
  id: string;
  definition_id: string;
  period_start_ms: number;
  period_end_ms: number;
  due_at_ms: number;
  /** JSON: the definition's spec and version when generated. */
  definition: string;
  status: string;
  started_at_ms: number | null;
  started_by: string | null;
  tree_size: number | null;
  root_hash: string | null;
  checkpoint: string | null;
  /** JSON list of item seqs (log reviews). */
  items: string | null;
  items_sha256: string | null;
  item_count: number | null;
  /** JSON list of the actor ids among the items (separation of duties). */
  actors: string | null;
  snapshot: string | null;
  snapshot_sha256: string | null;
  signed_off_at_ms: number | null;
  signed_off_by: string | null;
  /** The id of the review.sign_off event. */
  sign_off_event: string | null;
  decision: string | null;
  notes: string | null;
  countersigned_at_ms: number | null;
  countersigned_by: string | null;
  overdue_alert_id: string | null;
  created_at_ms: number;
  version: number;
}

export interface ReviewNotesTable {
  occurrence_id: string;
  id: string;
  kind: string;
  item: string;
  note: string;
  decision: string | null;
  /** JSON list of role grants as written (`reviewer:billing-*`), access `change` decisions. */
  roles: string | null;
  alert_id: string | null;
  approval_id: string | null;
  /** Corrections: the id of their review.correct event. */
  event_id: string | null;
  by_id: string;
  at_ms: number;
}

export interface ReviewTables {
  review_definitions: ReviewDefinitionsTable;
  review_occurrences: ReviewOccurrencesTable;
  review_notes: ReviewNotesTable;
}
