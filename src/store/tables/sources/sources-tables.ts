/** The source tables (migration 8), as Kysely sees them: snake_case columns. */

/** One expected source; the name is the key (unique by constraint). */
export interface SourcesTable {
  name: string;
  /** How it entered the registry: declared | ingest_key | seen. */
  origin: string;
  description: string | null;
  /** default: the server's silence limit; off: not monitored; custom: max_silence_ms. */
  silence: string;
  max_silence_ms: number | null;
  created_at_ms: number;
  created_by: string;
  updated_at_ms: number;
  updated_by: string;
  version: number;
}

/**
 * What the observer learned about one source: counters and positions as columns, the
 * bounded rate buckets and skew histogram as JSON, and the open silence (if any).
 */
export interface SourceStatsTable {
  source: string;
  first_seq: number | null;
  last_seq: number | null;
  last_received_at_ms: number | null;
  last_time_ms: number | null;
  total: number;
  /** [[minute, count], …] for the last hour (JSON). */
  minutes: string;
  /** [[hour, count], …] for the last day (JSON). */
  hours: string;
  /** The skew histogram (JSON). */
  skew: string;
  skew_alert_hour: number | null;
  silence_since_ms: number | null;
  silence_last_seq: number | null;
  silence_detected_at_ms: number | null;
  silence_alert_id: string | null;
  version: number;
  updated_at_ms: number;
}

export interface SourceTables {
  sources: SourcesTable;
  source_stats: SourceStatsTable;
}
