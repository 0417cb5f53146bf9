import { describeScope, type SourceScope } from '../access/authorization/source-scope.js';
import { toBase64 } from '../core/bytes.js';
import { AppError } from '../errors.js';
import type { Store } from '../store/store.js';
import { csvLine } from '../util/csv.js';
import { REPORTS, type ReportName } from './pack-layout.js';
import { AccessChangesReport } from './reports/access-changes-report.js';
import { AccessReport } from './reports/access-report.js';
import { type Activity, ActivityCounter } from './reports/activity-report.js';
import { AlertHandlingReport } from './reports/alert-handling-report.js';
import { CoverageReport } from './reports/coverage-report.js';
import type { LeafRecord, ReportBuilder } from './reports/period-event.js';
import { type ReportFilters, ReportLens } from './reports/report-lens.js';
import { ReviewsReport } from './reports/reviews-report.js';

const PAGE = 1000;

/** The reports a person asks for one at a time (the pack holds all of them). */
export const REPORT_KINDS = REPORTS;
export type ReportKind = ReportName;

/** Which filters narrow which report; the others would give a misleading answer. */
const FILTERS_OF: Record<ReportKind, readonly (keyof ReportFilters)[]> = {
  access: ['person', 'target', 'source'],
  'access-changes': ['person', 'target', 'source'],
  // An alert's steps are taken by different people (the monitor raises, a person resolves):
  // narrowing its events by actor would cut its MTTA/MTTR in half.
  'alert-handling': ['source'],
  coverage: ['source'],
  // Review events name the review, not the sources or people it covers.
  reviews: [],
};

export function newBuilder(kind: ReportKind, asOfMs: number): ReportBuilder<unknown> {
  switch (kind) {
    case 'access':
      return new AccessReport();
    case 'access-changes':
      return new AccessChangesReport();
    case 'alert-handling':
      return new AlertHandlingReport();
    case 'coverage':
      return new CoverageReport();
    case 'reviews':
      return new ReviewsReport(asOfMs);
  }
}

export interface ReportRequest {
  kind: ReportKind;
  fromMs: number;
  toMs: number;
  filters: ReportFilters;
  /** The reader's sources: events outside them never reach the report. */
  scope: SourceScope;
}

/** What every report states beside its body: the period, the checkpoint, the narrowing. */
export interface ReportHeading {
  report: ReportKind;
  period: { from: string; to: string; basis: 'received_at'; first_seq: number; end_seq: number };
  /** The signed checkpoint the report was computed from: only seqs below its size. */
  as_of: { tree_size: number; root_hash: string; checkpoint: string };
  filters: ReportFilters;
  /** The reader's sources, as patterns (`*`: every source). */
  scope: string[];
  events: number;
}

export interface GeneratedReport {
  heading: ReportHeading;
  body: Record<string, unknown>;
  activity: Activity;
  csv: string;
}

/**
 * Reports for one reader, from the log as of the checkpoint at hand when asked: reads the
 * period's events (by server time) below that checkpoint's size, through the reader's lens.
 */
export class ReportService {
  constructor(
    private readonly store: Pick<Store, 'head' | 'entries' | 'firstSeqReceivedAtOrAfter'>,
  ) {}

  async generate(request: ReportRequest): Promise<GeneratedReport> {
    const { kind, fromMs, toMs, filters } = request;
    for (const name of Object.keys(filters) as (keyof ReportFilters)[])
      if (filters[name] !== undefined && !FILTERS_OF[kind].includes(name))
        throw new AppError(
          'invalid_query',
          `the ${kind} report cannot be narrowed by ${name}; it takes ${FILTERS_OF[kind].join(', ')}`,
          { path: name },
        );
    if (toMs <= fromMs)
      throw new AppError('empty_range', '"to" must be after "from"', { path: 'to' });
    const head = await this.store.head();
    if (!head) throw new AppError('log_not_initialised', 'the log has no checkpoint yet');
    const start = Math.min(head.size, await this.store.firstSeqReceivedAtOrAfter(fromMs));
    const end = Math.max(
      start,
      Math.min(head.size, await this.store.firstSeqReceivedAtOrAfter(toMs)),
    );
    const lens = new ReportLens(request.scope, filters);
    const builder = newBuilder(kind, head.lastReceivedAtMs);
    const activity = new ActivityCounter(fromMs, toMs);
    let events = 0;
    for (let from = start; from < end; from += PAGE) {
      for (const entry of await this.store.entries(from, Math.min(end, from + PAGE))) {
        const event = {
          seq: entry.seq,
          timeMs: entry.timeMs,
          receivedAtMs: entry.receivedAtMs,
          source: entry.source,
          record: JSON.parse(entry.record) as LeafRecord,
        };
        if (!lens.sees(event)) continue;
        events++;
        builder.add(event);
        activity.add(event);
      }
    }
    const heading: ReportHeading = {
      report: kind,
      period: {
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        basis: 'received_at',
        first_seq: start,
        end_seq: end,
      },
      as_of: {
        tree_size: head.size,
        root_hash: toBase64(head.rootHash),
        checkpoint: head.checkpoint.note,
      },
      filters,
      scope: describeScope(request.scope),
      events,
    };
    return {
      heading,
      body: builder.result() as Record<string, unknown>,
      activity: activity.result(),
      csv: builder.csv() + basisRow(heading),
    };
  }
}

/** The CSV's last row states its basis, as `evident export` does with its trailer. */
export function basisRow(h: {
  as_of: { tree_size: number; root_hash: string };
  period: { from: string; to: string };
}): string {
  return csvLine([
    '#as_of',
    `tree_size=${h.as_of.tree_size}`,
    `root_hash=${h.as_of.root_hash}`,
    `period_from=${h.period.from}`,
    `period_to=${h.period.to}`,
  ]);
}

/** The JSON document of a report: heading, body, activity. */
export function reportJson(r: GeneratedReport): Record<string, unknown> {
  return { ...r.heading, ...r.body, activity: r.activity };
}
