import type { QueryRunner } from '../store/sql/query-runner.js';

/**
 * The contracts between the parts of monitoring: the engine (rules over committed entries),
 * alerts (lifecycle, src/monitor/alerts/), notifications (src/monitor/notify/) and source
 * health (src/monitor/sources/). Each part depends on these, not on the others.
 */

export const ALERT_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

/** Required when resolving: the outcome an auditor asks for (ISO 27001 A.5.26). */
export const DISPOSITIONS = ['true_positive', 'false_positive', 'benign', 'accepted_risk'] as const;
export type Disposition = (typeof DISPOSITIONS)[number];

/** A committed entry as the monitor sees it: parsed once, in seq order. */
/** An entry's place in the log and its two times: what observers need of it. */
export interface EntryStamp {
  seq: number;
  source: string;
  timeMs: number;
  receivedAtMs: number;
  /** A declared backfill (`?historical=true`, in the record the leaf commits to). */
  historical: boolean;
}

export interface ObservedEntry extends EntryStamp {
  /** The stored record, parsed from its canonical text. */
  record: Record<string, unknown>;
}

/** What a rule (or the silent-source check) raises. */
export interface NewAlert {
  /**
   * Deterministic for one triggering (e.g. `${ruleId}:${lastSeq}`), so re-evaluating the
   * same entries after a crash raises nothing twice: the sink ignores a key it has seen.
   */
  key: string;
  ruleId: string;
  title: string;
  description?: string;
  severity: AlertSeverity;
  /** The entries that triggered it, ascending (empty for a silent source). */
  seqs: number[];
  /** Sources of those entries (scoped readers see an alert only when they see a source). */
  sources: string[];
  /**
   * Each source's seqs when the alert spans several sources: a reader scoped to some of them
   * is shown only those (src/monitor/alerts/alert-scope.ts).
   */
  seqsBySource?: Record<string, number[]>;
  /** The group the rule counted in, e.g. { "actor.id": "u-1" }. */
  group?: Record<string, string>;
  /** When the condition held: the last triggering entry's received_at, or the check time. */
  triggeredAtMs: number;
}

/**
 * A raised alert's plain facts, no handling history: what alerts (src/monitor/alerts/) hand
 * to `onRaised`, and all notifications (src/monitor/notify/) know of an alert.
 */
export interface AlertView extends Omit<NewAlert, 'key'> {
  id: string;
  state: AlertState;
  raisedAtMs: number;
}

export interface AlertSink {
  /** Stores the alert, appends `alert.raise` to the log, notifies; idempotent on `key`. */
  raise(alert: NewAlert): Promise<{ id: string; created: boolean }>;
  /**
   * Raises several in one transaction with the caller's own writes through `tx` (the
   * engine's position), when the sink stores alerts in the same database.
   */
  raiseAll?(
    alerts: readonly NewAlert[],
    alongside?: (tx: QueryRunner) => Promise<void>,
  ): Promise<unknown>;
}

/** Sees every committed entry once, in order, before the engine's position moves past it. */
export interface EntryObserver {
  observe(entries: readonly EntryStamp[]): Promise<void>;
}
