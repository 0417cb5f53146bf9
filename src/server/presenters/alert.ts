import type { ActorSnapshot, HistoryEntry } from '../../monitor/alerts/alert.js';
import { raiseSeq } from '../../monitor/alerts/alert.js';
import type { ScopedAlert } from '../../monitor/alerts/alert-scope.js';
import type { AlertMetrics, ResponseTimes } from '../../monitor/alerts/metrics.js';
import { ALERT_SEVERITIES } from '../../monitor/types.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Account names by id, for showing assignees as people know them (ids stay beside them). */
export type AccountNames = ReadonlyMap<string, string>;
const NO_NAMES: AccountNames = new Map();

const nameOf = (names: AccountNames, id: string | null) =>
  id === null ? null : (names.get(id) ?? null);

/** An alert in a list or an export line: its facts and where its handling stands. */
export function alertSummaryJson(alert: ScopedAlert, names: AccountNames = NO_NAMES) {
  return {
    id: alert.id,
    rule_id: alert.ruleId,
    title: alert.title,
    ...(alert.description !== undefined ? { description: alert.description } : {}),
    severity: alert.severity,
    state: alert.state,
    sources: alert.sources,
    /** True when parts outside the reader's sources were withheld (alert-scope.ts). */
    partial: alert.partial,
    ...(alert.group !== undefined ? { group: alert.group } : {}),
    seqs: alert.seqs,
    seq_count: alert.seqCount,
    triggered_at: iso(alert.triggeredAtMs),
    raised_at: iso(alert.raisedAtMs),
    raise_seq: raiseSeq(alert),
    assignee: alert.assignee,
    assignee_name: nameOf(names, alert.assignee),
    acknowledged_at: iso(alert.acknowledgedAtMs),
    acknowledged_by: alert.acknowledgedBy,
    resolved_at: iso(alert.resolvedAtMs),
    resolution: alert.resolution,
  };
}

/** One alert with its whole handling history (docs/api.md "Alerts"). */
export function alertJson(alert: ScopedAlert, names: AccountNames = NO_NAMES) {
  return {
    ...alertSummaryJson(alert, names),
    ...(alert.partial ? {} : { key: alert.key }),
    history: alert.history.map((step) => stepJson(step, names)),
  };
}

/** A step as shown: who, when, what, and the seq of its event (null while pending). */
function stepJson(step: HistoryEntry, names: AccountNames) {
  return {
    action: step.action,
    at: iso(step.atMs),
    by: actorJson(step.by),
    event_id: step.eventId,
    seq: step.seq,
    from: step.from,
    to: step.to,
    ...(step.disposition !== undefined ? { disposition: step.disposition } : {}),
    ...(step.note !== undefined ? { note: step.note } : {}),
    ...(step.assignee !== undefined
      ? { assignee: step.assignee, assignee_name: nameOf(names, step.assignee) }
      : {}),
    ...(step.text !== undefined ? { text: step.text } : {}),
  };
}

/** The actor as its event names it; the address stays in the log, not in every alert view. */
function actorJson(by: ActorSnapshot) {
  const type = by.credential === 'bootstrap' ? 'admin_token' : by.kind;
  return { id: by.id, type, ...(by.name !== undefined ? { name: by.name } : {}) };
}

export const ALERT_CSV_COLUMNS = [
  'id',
  'raised_at',
  'rule_id',
  'severity',
  'state',
  'title',
  'sources',
  'seq_count',
  'first_seq',
  'last_seq',
  'raise_seq',
  'assignee',
  'acknowledged_at',
  'acknowledged_by',
  'resolved_at',
  'resolved_by',
  'disposition',
  'resolution_note',
  'steps',
] as const;

/** One CSV row, in ALERT_CSV_COLUMNS order (sources joined with ';'). */
export function alertCsvRow(alert: ScopedAlert): (string | number | null)[] {
  return [
    alert.id,
    iso(alert.raisedAtMs),
    alert.ruleId,
    alert.severity,
    alert.state,
    alert.title,
    alert.sources.join(';'),
    alert.seqCount,
    alert.seqs[0] ?? null,
    alert.seqs[alert.seqs.length - 1] ?? null,
    raiseSeq(alert),
    alert.assignee,
    iso(alert.acknowledgedAtMs),
    alert.acknowledgedBy,
    iso(alert.resolvedAtMs),
    alert.resolution?.by ?? null,
    alert.resolution?.disposition ?? null,
    alert.resolution?.note ?? null,
    alert.history.length,
  ];
}

function timesJson(t: ResponseTimes) {
  return {
    alerts: t.alerts,
    open: t.byState.open,
    acknowledged: t.byState.acknowledged,
    resolved: t.byState.resolved,
    responded: t.acknowledged,
    mean_time_to_acknowledge_ms: t.meanTimeToAcknowledgeMs,
    mean_time_to_resolve_ms: t.meanTimeToResolveMs,
  };
}

export function alertMetricsJson(
  metrics: AlertMetrics,
  range: { fromMs: number | undefined; toMs: number | undefined },
) {
  return {
    from: range.fromMs === undefined ? null : iso(range.fromMs),
    to: range.toMs === undefined ? null : iso(range.toMs),
    overall: timesJson(metrics.overall),
    by_severity: Object.fromEntries(
      ALERT_SEVERITIES.map((s) => [s, timesJson(metrics.bySeverity[s])]),
    ),
    dispositions: metrics.dispositions,
  };
}
