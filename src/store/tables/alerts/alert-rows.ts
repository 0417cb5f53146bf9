import type { AlertRecord, HistoryEntry } from '../../../monitor/alerts/alert.js';
import {
  ALERT_SEVERITIES,
  ALERT_STATES,
  type AlertState,
  DISPOSITIONS,
  type Disposition,
} from '../../../monitor/types.js';
import { int, type Row } from '../../rows.js';
import {
  actorSnapshot,
  parseJson,
  seqList,
  seqsBySource,
  stringList,
  stringMap,
} from './alert-json.js';

/** The columns of an `alerts` row for an alert (its version and time given by the writer). */
export function alertColumns(a: AlertRecord, version: number, updatedAtMs: number) {
  return {
    id: a.id,
    alert_key: a.key,
    rule_id: a.ruleId,
    title: a.title,
    description: a.description ?? null,
    severity: a.severity,
    state: a.state,
    sources_json: JSON.stringify(a.sources),
    group_json: a.group === undefined ? null : JSON.stringify(a.group),
    seqs_json: JSON.stringify(a.seqs),
    seqs_by_source_json: a.seqsBySource === undefined ? null : JSON.stringify(a.seqsBySource),
    seq_count: a.seqCount,
    triggered_at_ms: a.triggeredAtMs,
    raised_at_ms: a.raisedAtMs,
    assignee: a.assignee,
    acknowledged_at_ms: a.acknowledgedAtMs,
    acknowledged_by: a.acknowledgedBy,
    resolved_at_ms: a.resolvedAtMs,
    resolved_by: a.resolution?.by ?? null,
    disposition: a.resolution?.disposition ?? null,
    resolution_note: a.resolution?.note ?? null,
    steps: a.history.length,
    updated_at_ms: updatedAtMs,
    version,
  };
}

/**
 * One row per source, with the alert's state copied beside it: a page by source (and state)
 * walks the (source, state, alert_id) index and reads only the alerts it returns.
 */
export function alertSourceRows(a: AlertRecord) {
  return a.sources.map((source) => ({ alert_id: a.id, source, state: a.state }));
}

/**
 * One row per stored seq, with the source of its entry where the alert knows it (kept per
 * source, or a single source), so "the alerts raised on this event" is an index lookup and a
 * scoped reader finds an alert by a seq only when that seq's source is theirs.
 */
export function alertSeqRows(a: AlertRecord) {
  const sourceOf = new Map<number, string>();
  if (a.seqsBySource) {
    for (const [source, seqs] of Object.entries(a.seqsBySource)) {
      for (const seq of seqs) sourceOf.set(seq, source);
    }
  }
  const only = a.sources.length === 1 ? a.sources[0]! : null;
  return [...new Set(a.seqs)].map((seq) => ({
    seq,
    alert_id: a.id,
    source: sourceOf.get(seq) ?? (a.seqsBySource ? null : only),
  }));
}

export function alertGroupRows(a: AlertRecord) {
  return Object.entries(a.group ?? {}).map(([field, value]) => ({ alert_id: a.id, field, value }));
}

/** The `alert_history` row of step number `step` (0: the raise). */
export function historyColumns(alertId: string, step: number, h: HistoryEntry) {
  return {
    alert_id: alertId,
    step,
    event_id: h.eventId,
    action: h.action,
    at_ms: h.atMs,
    by_json: JSON.stringify(h.by),
    from_state: h.from,
    to_state: h.to,
    disposition: h.disposition ?? null,
    note: h.note ?? null,
    assignee: h.action === 'assign' ? (h.assignee ?? null) : null,
    text: h.text ?? null,
  };
}

/** An alert as the service sees it, from its row and its history rows (step order). */
export function alertFromRows(
  row: Row,
  history: readonly Row[],
): AlertRecord & { version: number } {
  const id = String(row.id);
  const col = (name: string) => `${name} of alert ${id}`;
  const state = oneOf(row.state, ALERT_STATES, col('state'));
  const disposition =
    row.disposition === null ? null : oneOf(row.disposition, DISPOSITIONS, col('disposition'));
  return {
    id,
    key: String(row.alert_key),
    ruleId: String(row.rule_id),
    title: String(row.title),
    ...(row.description !== null ? { description: String(row.description) } : {}),
    severity: oneOf(row.severity, ALERT_SEVERITIES, col('severity')),
    state,
    sources: stringList(parseJson(row.sources_json, col('sources')), col('sources')),
    ...(row.group_json !== null
      ? { group: stringMap(parseJson(row.group_json, col('group')), col('group')) }
      : {}),
    seqs: seqList(parseJson(row.seqs_json, col('seqs')), col('seqs')),
    seqCount: int(row.seq_count),
    ...(row.seqs_by_source_json !== null
      ? {
          seqsBySource: seqsBySource(
            parseJson(row.seqs_by_source_json, col('seqs_by_source')),
            col('seqs_by_source'),
          ),
        }
      : {}),
    triggeredAtMs: int(row.triggered_at_ms),
    raisedAtMs: int(row.raised_at_ms),
    assignee: textOrNull(row.assignee),
    acknowledgedAtMs: intOrNull(row.acknowledged_at_ms),
    acknowledgedBy: textOrNull(row.acknowledged_by),
    resolvedAtMs: intOrNull(row.resolved_at_ms),
    resolution:
      disposition === null
        ? null
        : {
            disposition: disposition as Disposition,
            note: String(row.resolution_note ?? ''),
            by: String(row.resolved_by ?? ''),
          },
    history: history.map((h) => historyFromRow(h, id)),
    version: int(row.version),
  };
}

/** A history row; `seq` is its event's, joined from the log (null if the event is not there). */
function historyFromRow(row: Row, alertId: string): HistoryEntry {
  const col = (name: string) => `alert_history.${name} of alert ${alertId}`;
  const action = oneOf(
    row.action,
    ['raise', 'acknowledge', 'resolve', 'reopen', 'assign', 'comment'] as const,
    col('action'),
  );
  return {
    action,
    eventId: String(row.event_id),
    seq: intOrNull(row.seq ?? null),
    atMs: int(row.at_ms),
    by: actorSnapshot(parseJson(row.by_json, col('by_json')), col('by_json')),
    from: row.from_state === null ? null : oneOf(row.from_state, ALERT_STATES, col('from_state')),
    to: oneOf(row.to_state, ALERT_STATES, col('to_state')) as AlertState,
    ...(row.disposition !== null
      ? { disposition: oneOf(row.disposition, DISPOSITIONS, col('disposition')) }
      : {}),
    ...(row.note !== null ? { note: String(row.note) } : {}),
    ...(action === 'assign' ? { assignee: textOrNull(row.assignee) } : {}),
    ...(row.text !== null ? { text: String(row.text) } : {}),
  };
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], column: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new Error(`${column} holds ${String(value)}, not one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function textOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

function intOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : int(value);
}
