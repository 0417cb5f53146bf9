/** The retention tables (migration 9), as Kysely sees them: snake_case columns. */

/** One policy per source; source '*' is the default for sources without their own row. */
export interface RetentionPoliciesTable {
  source: string;
  /** ISO 8601 duration in days or months (P90D, P12M); NULL: no minimum. */
  min_period: string | null;
  /** NULL: kept forever. */
  max_period: string | null;
  archive: number;
  updated_at_ms: number;
  updated_by: string;
  version: number;
}

/** A legal hold: entries matching every non-NULL criterion are never purged while it is live. */
export interface LegalHoldsTable {
  id: string;
  matter: string;
  reason: string;
  source: string | null;
  actor_id: string | null;
  target_id: string | null;
  from_ms: number | null;
  to_ms: number | null;
  placed_at_ms: number;
  placed_by: string;
  released_at_ms: number | null;
  released_by: string | null;
  version: number;
}

/** An entry whose payload the retention.purge event at purge_seq removed (and maybe a restore put back). */
export interface PurgedPayloadsTable {
  /** The first seq of the range (migration 13; before it every row was one seq). */
  seq: number;
  last_seq: number;
  purge_seq: number;
  purged_at_ms: number;
  restored_at_ms: number | null;
}

/**
 * The columns of the log's entries table a purge or a restore touches. The log is append-only
 * in the database; migration 9's triggers let exactly these change, only for a seq listed in
 * purged_payloads, and only between the payload and the empty text.
 */
export interface EntryPayloadTable {
  seq: number;
  source: string;
  action: string;
  record: string;
  actor_id: string;
  target_id: string | null;
  leaf_hash: Uint8Array;
  received_at_ms: number;
  time_ms: number;
}

/** A payload put back from an archive (migration 13). */
export interface RestoredPayloadsTable {
  seq: number;
  restored_at_ms: number;
}

export interface RetentionTables {
  restored_payloads: RestoredPayloadsTable;
  retention_policies: RetentionPoliciesTable;
  legal_holds: LegalHoldsTable;
  purged_payloads: PurgedPayloadsTable;
  entries: EntryPayloadTable;
}
