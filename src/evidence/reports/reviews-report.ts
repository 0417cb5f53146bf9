import { csvLine } from '../../util/csv.js';
import type { PeriodEvent, ReportBuilder } from './period-event.js';

/**
 * How one occurrence stands as of the report's checkpoint: signed off by its due time
 * (`done`), after it (`late`), not signed off and past due (`missed`), or not yet due.
 */
export type ReviewStatus = 'done' | 'late' | 'missed' | 'pending';

export interface ReviewRow {
  review_id: string;
  definition_id: string | null;
  definition_name: string | null;
  kind: string | null;
  period_start: string | null;
  period_end: string | null;
  due_at: string | null;
  status: ReviewStatus;
  signed_off_by: string | null;
  signed_off_at: string | null;
  decision: string | null;
  observations: number;
  countersigned_by: string | null;
  corrections: number;
  /** The pinned view the sign-off was made against. */
  tree_size: number | null;
  /** review.open, review.sign_off, review.countersign, review.correct. */
  seqs: number[];
}

export interface ReviewsSummary {
  counts: Record<ReviewStatus, number>;
  findings: number;
  /** definition name → status → occurrences. */
  by_definition: Record<string, Partial<Record<ReviewStatus, number>>>;
  reviews: ReviewRow[];
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/**
 * Reviews (docs/reviews.md, "The events") from the log alone: each `review.open` paired with
 * its `review.sign_off`, countersign and corrections. An occurrence opened before the period
 * but signed off in it is listed from its sign-off, which repeats the period and due time.
 */
export class ReviewsReport implements ReportBuilder<ReviewsSummary> {
  private readonly rows = new Map<string, ReviewRow>();

  /** `asOfMs`: the server time of the checkpoint's last event; past-due is judged at it. */
  constructor(private readonly asOfMs: number) {}

  add(e: PeriodEvent): boolean {
    const r = e.record;
    if (e.source !== 'evident' || !r.action.startsWith('review.')) return false;
    const d = r.details ?? {};
    const id = str(d.review_id) ?? r.target?.id;
    if (id === undefined || id === null) return false;
    const row = this.rowFor(id);
    const fill = () => {
      row.definition_id ??= str(d.definition_id);
      row.definition_name ??= str(d.definition_name);
      row.kind ??= str(d.kind);
      row.period_start ??= str(d.period_start);
      row.period_end ??= str(d.period_end);
      row.due_at ??= str(d.due_at);
    };
    switch (r.action) {
      case 'review.open':
        fill();
        break;
      case 'review.sign_off':
        fill();
        row.signed_off_by = r.actor.name ?? r.actor.id;
        row.signed_off_at = r.received_at;
        row.decision = str(d.decision);
        row.observations = Array.isArray(d.observations) ? d.observations.length : 0;
        row.tree_size = typeof d.tree_size === 'number' ? d.tree_size : null;
        row.status = d.late === true ? 'late' : 'done';
        break;
      case 'review.countersign':
        row.countersigned_by = r.actor.name ?? r.actor.id;
        break;
      case 'review.correct':
        row.corrections++;
        if (str(d.decision)) row.decision = str(d.decision);
        break;
      default:
        return false;
    }
    row.seqs.push(e.seq);
    return true;
  }

  private rowFor(id: string): ReviewRow {
    let row = this.rows.get(id);
    if (!row) {
      row = {
        review_id: id,
        definition_id: null,
        definition_name: null,
        kind: null,
        period_start: null,
        period_end: null,
        due_at: null,
        status: 'pending',
        signed_off_by: null,
        signed_off_at: null,
        decision: null,
        observations: 0,
        countersigned_by: null,
        corrections: 0,
        tree_size: null,
        seqs: [],
      };
      this.rows.set(id, row);
    }
    return row;
  }

  result(): ReviewsSummary {
    const counts: Record<ReviewStatus, number> = { done: 0, late: 0, missed: 0, pending: 0 };
    const byDefinition: ReviewsSummary['by_definition'] = {};
    let findings = 0;
    const reviews = [...this.rows.values()];
    for (const row of reviews) {
      if (row.signed_off_at === null)
        row.status =
          row.due_at !== null && Date.parse(row.due_at) <= this.asOfMs ? 'missed' : 'pending';
      counts[row.status]++;
      if (row.decision === 'findings') findings++;
      const name = row.definition_name ?? row.definition_id ?? 'unknown';
      const statuses = byDefinition[name] ?? {};
      statuses[row.status] = (statuses[row.status] ?? 0) + 1;
      byDefinition[name] = statuses;
    }
    return { counts, findings, by_definition: byDefinition, reviews };
  }

  csv(): string {
    const head = csvLine([
      'review_id',
      'definition',
      'kind',
      'period_start',
      'period_end',
      'due_at',
      'status',
      'signed_off_by',
      'signed_off_at',
      'decision',
      'observations',
      'countersigned_by',
      'corrections',
      'tree_size',
      'seqs',
    ]);
    return (
      head +
      this.result()
        .reviews.map((r) =>
          csvLine([
            r.review_id,
            r.definition_name ?? r.definition_id,
            r.kind,
            r.period_start,
            r.period_end,
            r.due_at,
            r.status,
            r.signed_off_by,
            r.signed_off_at,
            r.decision,
            r.observations,
            r.countersigned_by,
            r.corrections,
            r.tree_size,
            r.seqs.join(' '),
          ]),
        )
        .join('')
    );
  }
}
