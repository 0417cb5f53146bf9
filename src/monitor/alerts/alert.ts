import type { AlertState, AlertView, Disposition } from '../types.js';

/** State document kinds: the alerts, and the raise keys that make `raise` idempotent. */
export const ALERT_KIND = 'alert';
export const ALERT_KEY_KIND = 'alert_key';

/** Seqs kept on the alert (a threshold may count thousands); `seqCount` keeps the total. */
export const MAX_STORED_SEQS = 1000;
/** Seqs named in the `alert.raise` event (with `seq_count`), so the record stays small. */
export const MAX_EVENT_SEQS = 100;
/** Notes and comments: bounded so their event stays far below the 32 KiB record cap. */
export const MAX_TEXT_LENGTH = 2000;
/** Handling steps per alert; a runaway script cannot grow one document without bound. */
export const MAX_HISTORY = 1000;

export type AlertAction = 'raise' | 'acknowledge' | 'resolve' | 'reopen' | 'assign' | 'comment';

/**
 * Who took a step, as its log event names them, so an event still pending after a crash
 * can be appended later by whoever touches the alert next.
 */
export interface ActorSnapshot {
  kind: 'person' | 'service' | 'system';
  id: string;
  name?: string;
  /** How the principal signed in (the event's actor.type tells the bootstrap token apart). */
  credential?: 'bootstrap' | 'token' | 'session';
  session?: string;
  ip?: string;
}

/** One step of an alert's life; `seq` proves it is in the log. */
export interface HistoryEntry {
  action: AlertAction;
  /** The id of the log event recording this step (the alert's own id for `raise`). */
  eventId: string;
  /** The event's seq; null between the document change and the durable append. */
  seq: number | null;
  atMs: number;
  by: ActorSnapshot;
  /** The state before and after the step. */
  from: AlertState | null;
  to: AlertState;
  disposition?: Disposition;
  note?: string;
  /** assign: the account id, or null for unassigned. */
  assignee?: string | null;
  text?: string;
}

/** An alert as stored (state kind `alert`, id a ULID whose time is `raisedAtMs`). */
export interface AlertRecord extends AlertView {
  key: string;
  /** The first MAX_STORED_SEQS triggering seqs, ascending. */
  seqs: number[];
  seqCount: number;
  assignee: string | null;
  /** First response: acknowledged, or resolved straight from open. Kept across reopening. */
  acknowledgedAtMs: number | null;
  acknowledgedBy: string | null;
  resolvedAtMs: number | null;
  resolution: { disposition: Disposition; note: string; by: string } | null;
  /** Every step, oldest first; history[0] is the raise. */
  history: HistoryEntry[];
}

/** The raise key's document: which alert a key made, and the alert as first raised. */
export interface AlertKeyDoc {
  alertId: string;
  alert: AlertRecord;
}

/** The seq of the `alert.raise` event, once durable. */
export function raiseSeq(alert: AlertRecord): number | null {
  return alert.history[0]?.seq ?? null;
}
