/** One event of the period, as the report builders read it (a stored leaf's record). */
export interface PeriodEvent {
  seq: number;
  timeMs: number;
  receivedAtMs: number;
  source: string;
  record: LeafRecord;
}

/** The record fields the reports read; everything else stays in events.ndjson. */
export interface LeafRecord {
  time: string;
  received_at: string;
  source: string;
  action: string;
  outcome: string;
  actor: { id: string; type?: string; name?: string };
  target?: { type?: string; id: string; name?: string };
  historical?: boolean;
  details?: Record<string, unknown>;
}

/** What every report states: the period and the tree it was computed from. */
export interface ReportBasis {
  period: { from: string; to: string; basis: 'received_at' };
  as_of: { tree_size: number; root_hash: string };
}

/** A report builder: fed the period's events in seq order, then asked for its report. */
export interface ReportBuilder<T> {
  /** Takes one event; true when the report cites it (its proof then goes into the pack). */
  add(event: PeriodEvent): boolean;
  result(): T;
  csv(): string;
}
