/** The monitor's tables (migration 7): rule texts, layer pointers, engine position, lease. */
export interface MonitorTables {
  rule_texts: RuleTextsTable;
  rule_layers: RuleLayersTable;
  engine_position: EnginePositionTable;
  engine_lease: EngineLeaseTable;
  /** The log's entries, read only: a layer change's seq is its event's. */
  entries: { seq: number | string; id: string; source: string };
}

type Int = number | string;

/** Every rule text ever applied, by SHA-256: what a `rules.update` event names. Immutable. */
export interface RuleTextsTable {
  sha256: string;
  file: string;
  text: string;
  created_at_ms: Int;
}

/** Which text a layer has now (reads only: the engine follows the `rules.update` events). */
export interface RuleLayersTable {
  layer: string;
  sha256: string;
  file: string;
  /** The `rules.update` event; its seq is joined from the log. */
  event_id: string | null;
  /** The event's seq, for pointers moved from before event ids were kept. */
  event_seq: Int | null;
  at_ms: Int;
  by_id: string;
}

/** The engine's one row: where it is, which rule texts apply there, and its windows. */
export interface EnginePositionTable {
  id: string;
  position: Int;
  /** JSON: layer → SHA-256 of its text. */
  layers_json: string;
  /** JSON: the evaluator's windows (EvaluatorSnapshot). */
  evaluator_json: string;
  saved_at_ms: Int;
  version: Int;
}

/** Who runs the engine when several servers share one database. */
export interface EngineLeaseTable {
  id: string;
  holder: string;
  expires_at_ms: Int;
  version: Int;
}
