import { readableDuration } from '../../cli/readable-duration.js';
import type { ReportHeading } from '../report-service.js';
import type { AccessChangeRow } from '../reports/access-changes-report.js';
import type { AccessRow } from '../reports/access-report.js';
import type { Activity } from '../reports/activity-report.js';
import type { AlertHandling, AlertRow } from '../reports/alert-handling-report.js';
import type { Coverage } from '../reports/coverage-report.js';
import type { ReviewsSummary } from '../reports/reviews-report.js';
import { type Bar, barChart, columnChart } from './pdf-charts.js';
import type { ReportDocument } from './report-document.js';

const TITLES: Record<ReportHeading['report'], string> = {
  access: 'Who accessed what, and when',
  'access-changes': 'Access changes',
  'alert-handling': 'Alert handling',
  coverage: 'Coverage: sources, silences, clocks',
  reviews: 'Log and access reviews',
};

export interface PrintableReport {
  heading: ReportHeading;
  body: Record<string, unknown>;
  activity: Activity;
}

/** A report as a PDF a person prints: what it rests on first, then charts, then tables. */
export async function reportPdf(report: PrintableReport, createdAtMs: number): Promise<Uint8Array> {
  const h = report.heading;
  // pdfkit and its font engine load only when a PDF is asked for, not with every command.
  const { ReportDocument } = await import('./report-document.js');
  const rd = new ReportDocument(
    TITLES[h.report],
    `Evident report ${h.report} · ${h.period.from} – ${h.period.to} · as of tree size ${h.as_of.tree_size}`,
    new Date(createdAtMs),
  );
  basis(rd, h);
  switch (h.report) {
    case 'access':
      access(rd, report.body as unknown as { rows: AccessRow[] }, report.activity);
      break;
    case 'access-changes':
      accessChanges(
        rd,
        report.body as unknown as { counts: Record<string, number>; changes: AccessChangeRow[] },
        report.activity,
      );
      break;
    case 'alert-handling':
      alertHandling(rd, report.body as unknown as AlertHandling);
      break;
    case 'coverage':
      coverage(rd, report.body as unknown as Coverage, report.activity);
      break;
    case 'reviews':
      reviews(rd, report.body as unknown as ReviewsSummary);
      break;
  }
  rd.section('The signed checkpoint this report was computed from');
  rd.mono(h.as_of.checkpoint);
  return rd.bytes();
}

/** A time in a table cell: to the second, in UTC, without the ISO punctuation that wraps. */
function at(iso: string | null): string | null {
  if (iso === null) return null;
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]}` : iso;
}

function basis(rd: ReportDocument, h: ReportHeading): void {
  const filters = Object.entries(h.filters)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} = ${v}`);
  rd.facts([
    ['Period', `${h.period.from} to ${h.period.to} (server time, received_at; end exclusive)`],
    ['Computed from', `the signed checkpoint of tree size ${h.as_of.tree_size}`],
    ['Root hash', h.as_of.root_hash],
    ['Events (seqs)', `${h.events} in seqs ${h.period.first_seq} to ${h.period.end_seq - 1}`],
    ['Narrowed to', filters.length > 0 ? filters.join(', ') : 'nothing (the whole period)'],
    ['Sources visible', h.scope.join(', ')],
  ]);
  rd.paragraph(
    'Anyone holding the log can recompute this report from the events of the period below that tree size; the checkpoint (a signed note) is printed at the end. Times are UTC.',
    8,
  );
}

function activityChart(rd: ReportDocument, activity: Activity, title: string): void {
  columnChart(
    rd,
    `${title} per ${activity.bucket}`,
    activity.series.map((s) => ({
      label:
        activity.bucket === 'hour' ? s.start.slice(5, 16).replace('T', ' ') : s.start.slice(0, 10),
      value: s.events,
      highlight: s.failure + s.denied,
    })),
    ['events', 'failed or denied'],
  );
}

function access(rd: ReportDocument, body: { rows: AccessRow[] }, activity: Activity): void {
  rd.section('Activity over time');
  activityChart(rd, activity, 'Events');
  rd.section(`Who accessed what (${body.rows.length} actor–target pairs)`);
  rd.table(
    [
      { title: 'source', width: 10 },
      { title: 'actor', width: 13 },
      { title: 'target', width: 13 },
      { title: 'all', width: 5, align: 'right' },
      { title: 'ok', width: 5, align: 'right' },
      { title: 'fail', width: 5, align: 'right' },
      { title: 'deny', width: 5, align: 'right' },
      { title: 'first', width: 17 },
      { title: 'last', width: 17 },
      { title: 'actions', width: 14 },
    ],
    body.rows.map((r) => [
      r.source,
      r.actor_name ? `${r.actor_name} (${r.actor_id})` : r.actor_id,
      r.target_id === null ? '' : `${r.target_type ?? ''} ${r.target_id}`.trim(),
      r.events,
      r.success,
      r.failure,
      r.denied,
      at(r.first_time),
      at(r.last_time),
      r.actions.join(' '),
    ]),
  );
}

function accessChanges(
  rd: ReportDocument,
  body: { counts: Record<string, number>; changes: AccessChangeRow[] },
  activity: Activity,
): void {
  rd.section('Changes by kind');
  barChart(
    rd,
    'Changes per action',
    Object.entries(body.counts)
      .sort((a, b) => b[1] - a[1])
      .map(([action, n]) => ({ label: action, value: n, text: String(n) })),
  );
  activityChart(rd, activity, 'Changes');
  rd.section(`Every change (${body.changes.length})`);
  rd.table(
    [
      { title: 'seq', width: 6, align: 'right' },
      { title: 'received at', width: 14 },
      { title: 'actor', width: 13 },
      { title: 'action', width: 14 },
      { title: 'outcome', width: 7 },
      { title: 'target', width: 14 },
      { title: 'details', width: 24 },
    ],
    body.changes.map((c) => [
      c.seq,
      at(c.received_at),
      c.actor_name ? `${c.actor_name} (${c.actor_id})` : c.actor_id,
      c.action,
      c.outcome,
      c.target_id === null ? '' : `${c.target_name ?? c.target_id} (${c.target_type ?? ''})`,
      c.details ? JSON.stringify(c.details) : '',
    ]),
  );
}

function alertHandling(rd: ReportDocument, body: AlertHandling): void {
  const d = (ms: number | null) => (ms === null ? 'n/a' : readableDuration(ms));
  rd.section('Response times');
  rd.facts([
    [
      'MTTA',
      `mean ${d(body.mtta_ms.mean)}, median ${d(body.mtta_ms.median)} over ${body.mtta_ms.alerts} alert(s) raised in the period (raise to first acknowledge or resolve)`,
    ],
    [
      'MTTR',
      `mean ${d(body.mttr_ms.mean)}, median ${d(body.mttr_ms.median)} over ${body.mttr_ms.alerts} alert(s) (raise to resolve)`,
    ],
    ['Still open', String(body.alerts.filter((a) => a.state !== 'resolved').length)],
  ]);
  const perRule = timesPerRule(body.alerts);
  barChart(rd, 'Mean time to first response, per rule', perRule.tta, '#7aa6d6');
  barChart(rd, 'Mean time to resolve, per rule', perRule.ttr, '#9bbb59');
  rd.section('Alerts by rule and disposition');
  const dispositions = [
    ...new Set(Object.values(body.by_rule).flatMap((r) => Object.keys(r))),
  ].sort();
  rd.table(
    [
      { title: 'rule', width: 30 },
      ...dispositions.map((x) => ({ title: x, width: 10, align: 'right' as const })),
    ],
    Object.entries(body.by_rule).map(([rule, counts]) => [
      rule,
      ...dispositions.map((x) => counts[x] ?? 0),
    ]),
  );
  rd.section(`Every alert (${body.alerts.length})`);
  rd.table(
    [
      { title: 'alert', width: 14 },
      { title: 'rule', width: 14 },
      { title: 'severity', width: 7 },
      { title: 'raised', width: 13 },
      { title: 'first response', width: 13 },
      { title: 'resolved', width: 13 },
      { title: 'state', width: 9 },
      { title: 'disposition', width: 10 },
      { title: 'seqs', width: 8 },
    ],
    body.alerts.map((a) => [
      a.alert_id,
      a.rule,
      a.severity,
      at(a.raised_at ?? 'before the period'),
      at(a.first_response_at),
      at(a.resolved_at),
      a.state,
      a.disposition,
      a.seqs.join(' '),
    ]),
  );
}

function timesPerRule(alerts: AlertRow[]): { tta: Bar[]; ttr: Bar[] } {
  const sums = new Map<string, { tta: number[]; ttr: number[] }>();
  for (const a of alerts) {
    if (a.raised_at === null) continue;
    const raised = Date.parse(a.raised_at);
    const s = sums.get(a.rule) ?? { tta: [], ttr: [] };
    sums.set(a.rule, s);
    if (a.first_response_at) s.tta.push(Date.parse(a.first_response_at) - raised);
    if (a.resolved_at) s.ttr.push(Date.parse(a.resolved_at) - raised);
  }
  const bars = (pick: 'tta' | 'ttr') =>
    [...sums]
      .filter(([, s]) => s[pick].length > 0)
      .map(([rule, s]) => {
        const mean = s[pick].reduce((x, y) => x + y, 0) / s[pick].length;
        return { label: rule, value: mean, text: `${readableDuration(mean)} (${s[pick].length})` };
      })
      .sort((a, b) => b.value - a.value);
  return { tta: bars('tta'), ttr: bars('ttr') };
}

function coverage(rd: ReportDocument, body: Coverage, activity: Activity): void {
  rd.section('The server clock (ISO 27001 A.8.17)');
  const obs = body.server_clock.observations;
  rd.paragraph(
    obs.length === 0
      ? 'No clock.sync event in the period: the server records its clock sync state at start and at every change, so none means no server started and none changed state in the period (or the server predates these events).'
      : `${obs.length} clock.sync event(s) in the period; ${body.server_clock.unsynchronized} said the clock was NOT synchronised, ${body.server_clock.unknown} could not tell.`,
  );
  if (obs.length > 0)
    rd.table(
      [
        { title: 'seq', width: 8, align: 'right' },
        { title: 'received at', width: 20 },
        { title: 'synchronised', width: 12 },
        { title: 'method', width: 14 },
        { title: 'reason', width: 40 },
      ],
      obs.map((o) => [
        o.seq,
        at(o.received_at),
        o.synchronized === null ? 'unknown' : o.synchronized ? 'yes' : 'NO',
        o.method,
        o.reason,
      ]),
    );
  rd.section('Activity over time');
  activityChart(rd, activity, 'Events');
  rd.section(
    `Sources (${body.sources.length}); clock skew limit ${readableDuration(body.skew_limit_ms)}`,
  );
  rd.table(
    [
      { title: 'source', width: 16 },
      { title: 'events', width: 8, align: 'right' },
      { title: 'first received', width: 16 },
      { title: 'last received', width: 16 },
      { title: 'backfilled', width: 8, align: 'right' },
      { title: 'largest skew', width: 10, align: 'right' },
      { title: 'over limit', width: 8, align: 'right' },
      { title: 'silences', width: 8, align: 'right' },
    ],
    body.sources.map((s) => [
      s.source,
      s.events,
      at(s.first_received_at),
      at(s.last_received_at),
      s.historical,
      readableDuration(s.max_abs_skew_ms),
      s.skewed,
      s.silences,
    ]),
  );
  rd.section(`Silences (${body.silences.length})`);
  rd.table(
    [
      { title: 'seq', width: 8, align: 'right' },
      { title: 'source', width: 20 },
      { title: 'event', width: 16 },
      { title: 'received at', width: 20 },
      { title: 'silent since', width: 20 },
      { title: 'alert', width: 16 },
    ],
    body.silences.map((s) => [
      s.seq,
      s.source,
      s.action,
      at(s.received_at),
      at(s.silent_since),
      s.alert_id,
    ]),
  );
}

function reviews(rd: ReportDocument, body: ReviewsSummary): void {
  const c = body.counts;
  rd.section('Reviews in the period');
  rd.facts([
    ['Done on time', String(c.done)],
    ['Done late', String(c.late)],
    ['Missed', `${c.missed} (not signed off, past due at the checkpoint)`],
    ['Not yet due', String(c.pending)],
    ['With findings', String(body.findings)],
  ]);
  const order = ['done', 'late', 'missed', 'pending'] as const;
  barChart(
    rd,
    'Occurrences per review definition',
    Object.entries(body.by_definition).map(([name, s]) => {
      const total = order.reduce((n, k) => n + (s[k] ?? 0), 0);
      return {
        label: name,
        value: total,
        text: order
          .filter((k) => (s[k] ?? 0) > 0)
          .map((k) => `${s[k]} ${k}`)
          .join(', '),
      };
    }),
  );
  rd.section(`Every occurrence (${body.reviews.length})`);
  rd.table(
    [
      { title: 'review', width: 16 },
      { title: 'period', width: 18 },
      { title: 'due', width: 11 },
      { title: 'status', width: 8 },
      { title: 'signed off by', width: 12 },
      { title: 'decision', width: 10 },
      { title: 'obs.', width: 5, align: 'right' },
      { title: 'countersigned', width: 11 },
      { title: 'pinned tree', width: 9, align: 'right' },
    ],
    body.reviews.map((r) => [
      `${r.definition_name ?? r.definition_id ?? ''} (${r.kind ?? '?'}) ${r.review_id}`,
      r.period_start && r.period_end ? `${r.period_start} – ${r.period_end}` : '',
      at(r.due_at),
      r.status,
      r.signed_off_by,
      r.corrections > 0 ? `${r.decision} (corrected ${r.corrections}×)` : r.decision,
      r.observations,
      r.countersigned_by,
      r.tree_size,
    ]),
  );
}
