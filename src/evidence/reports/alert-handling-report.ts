import { csvLine } from '../../util/csv.js';
import type { PeriodEvent, ReportBuilder } from './period-event.js';

/** The steps of an alert's life the monitor records (alert-events.ts); reads are not steps. */
const TRANSITIONS = new Set(['raise', 'acknowledge', 'resolve', 'reopen', 'assign', 'comment']);

export interface AlertRow {
  alert_id: string;
  rule: string;
  severity: string | null;
  /** Null when the alert was raised before the period (its handling still counts). */
  raised_at: string | null;
  first_response_at: string | null;
  resolved_at: string | null;
  state: 'open' | 'acknowledged' | 'resolved';
  disposition: string | null;
  steps: number;
  seqs: number[];
}

export interface AlertHandling {
  /** rule → disposition (`unresolved` while open) → alerts. */
  by_rule: Record<string, Record<string, number>>;
  /** Mean and median ms from raise to first response / resolution, over alerts raised in the period. */
  mtta_ms: { mean: number | null; median: number | null; alerts: number };
  mttr_ms: { mean: number | null; median: number | null; alerts: number };
  alerts: AlertRow[];
}

interface Tracked extends AlertRow {
  raisedMs: number | null;
  responseMs: number | null;
  resolvedMs: number | null;
}

/** Alert handling from the `alert.*` events of the period: counts, MTTA and MTTR. */
export class AlertHandlingReport implements ReportBuilder<AlertHandling> {
  private readonly alerts = new Map<string, Tracked>();

  add(e: PeriodEvent): boolean {
    const r = e.record;
    if (e.source !== 'evident' || !r.action.startsWith('alert.')) return false;
    const step = r.action.slice('alert.'.length);
    const id = r.target?.id;
    if (!TRANSITIONS.has(step) || id === undefined) return false;
    const d = r.details ?? {};
    let a = this.alerts.get(id);
    if (!a) {
      a = {
        alert_id: id,
        rule: typeof d.rule === 'string' ? d.rule : 'unknown',
        severity: typeof d.severity === 'string' ? d.severity : null,
        raised_at: null,
        first_response_at: null,
        resolved_at: null,
        state: 'open',
        disposition: null,
        steps: 0,
        seqs: [],
        raisedMs: null,
        responseMs: null,
        resolvedMs: null,
      };
      this.alerts.set(id, a);
    }
    a.steps++;
    a.seqs.push(e.seq);
    const at = e.receivedAtMs;
    if (step === 'raise') {
      a.raised_at = r.received_at;
      a.raisedMs = at;
    }
    if ((step === 'acknowledge' || step === 'resolve') && a.responseMs === null) {
      a.first_response_at = r.received_at;
      a.responseMs = at;
    }
    if (step === 'acknowledge') a.state = 'acknowledged';
    if (step === 'resolve') {
      a.state = 'resolved';
      a.disposition = typeof d.disposition === 'string' ? d.disposition : null;
      if (a.resolvedMs === null) {
        a.resolved_at = r.received_at;
        a.resolvedMs = at;
      }
    }
    if (step === 'reopen') {
      a.state = 'open';
      a.disposition = null;
    }
    return true;
  }

  result(): AlertHandling {
    const byRule: Record<string, Record<string, number>> = {};
    const tta: number[] = [];
    const ttr: number[] = [];
    for (const a of this.alerts.values()) {
      const disposition = a.state === 'resolved' ? (a.disposition ?? 'none') : 'unresolved';
      byRule[a.rule] ??= {};
      const row = byRule[a.rule]!;
      row[disposition] = (row[disposition] ?? 0) + 1;
      if (a.raisedMs !== null && a.responseMs !== null) tta.push(a.responseMs - a.raisedMs);
      if (a.raisedMs !== null && a.resolvedMs !== null) ttr.push(a.resolvedMs - a.raisedMs);
    }
    return {
      by_rule: byRule,
      mtta_ms: stats(tta),
      mttr_ms: stats(ttr),
      alerts: [...this.alerts.values()].map(
        ({ raisedMs: _r, responseMs: _a, resolvedMs: _s, ...row }) => row,
      ),
    };
  }

  csv(): string {
    return (
      csvLine([
        'alert_id',
        'rule',
        'severity',
        'raised_at',
        'first_response_at',
        'resolved_at',
        'state',
        'disposition',
        'steps',
        'seqs',
      ]) +
      this.result()
        .alerts.map((a) =>
          csvLine([
            a.alert_id,
            a.rule,
            a.severity,
            a.raised_at,
            a.first_response_at,
            a.resolved_at,
            a.state,
            a.disposition,
            a.steps,
            a.seqs.join(' '),
          ]),
        )
        .join('')
    );
  }
}

function stats(values: number[]): { mean: number | null; median: number | null; alerts: number } {
  if (values.length === 0) return { mean: null, median: null, alerts: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
  return {
    mean: Math.round(values.reduce((s, v) => s + v, 0) / values.length),
    median,
    alerts: values.length,
  };
}
