import type { SelfAudit } from '../log/self-audit.js';
import type { AlertSink } from '../monitor/types.js';
import type { Store } from '../store/store.js';
import { allDefinitions } from '../store/tables/reviews/review-definitions-table.js';
import {
  insertOccurrenceIfAbsent,
  occurrencesWhere,
  overdueWithoutAlert,
  replaceOccurrence,
} from '../store/tables/reviews/review-occurrences-table.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { endedPeriods, type Period } from './cadence.js';
import { openEvent } from './review-events.js';
import type { ReviewDefinition, ReviewOccurrence } from './review-types.js';
import { localDate, startOfLocalDay } from './zoned-time.js';

export interface ReviewScheduleDeps {
  store: Store;
  audit: Pick<SelfAudit, 'recordWithin'>;
  alerts: Pick<AlertSink, 'raise'>;
  clock: Clock;
  ids: IdGenerator;
}

const SYSTEM = { principal: { kind: 'system', id: 'monitor' } } as const;
/** Periods generated per definition per pass: a long outage catches up over a few passes. */
const CATCH_UP = 100;
const OVERDUE_BATCH = 100;

/**
 * Generates occurrences for ended periods and raises an alert for each occurrence past its
 * due time. Safe to run in every process at once: the unique (definition, period start)
 * makes generation exactly-once, and the overdue alert's key makes it raise once.
 */
export class ReviewSchedule {
  constructor(private readonly deps: ReviewScheduleDeps) {}

  /** One pass; resolves with what it did (tests and logs). */
  async tick(): Promise<{ opened: number; overdue: number }> {
    let opened = 0;
    for (const d of await allDefinitions(this.deps.store.state)) opened += await this.generate(d);
    const overdue = await this.raiseOverdue();
    return { opened, overdue };
  }

  /** The ended periods of one definition that have no occurrence yet, made in one transaction. */
  private async generate(d: ReviewDefinition): Promise<number> {
    const now = this.deps.clock.now();
    const [latest] = await occurrencesWhere(this.deps.store.state, {
      definitionId: d.id,
      limit: 1,
    });
    // After the latest occurrence (a changed cadence starts where the old one stopped);
    // for a new definition, from the period it was created in.
    const fromMs = latest ? latest.periodEndMs : d.createdAtMs;
    const periods = endedPeriods(d.cadence, d.timeZone, fromMs, now, CATCH_UP).filter(
      (p) => latest === undefined || p.startMs >= latest.periodEndMs,
    );
    if (periods.length === 0) return 0;
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const events = [];
      for (const p of periods) {
        const o = occurrenceOf(d, p, this.deps.ids(now), now);
        if (await insertOccurrenceIfAbsent(tx, o)) events.push(openEvent(o, SYSTEM));
      }
      return { events, result: events.length };
    });
    return result;
  }

  private async raiseOverdue(): Promise<number> {
    const now = this.deps.clock.now();
    const late = await overdueWithoutAlert(this.deps.store.state, now, OVERDUE_BATCH);
    for (const o of late) {
      const { id } = await this.deps.alerts.raise({
        key: `review.overdue:${o.id}`,
        ruleId: 'review.overdue',
        title: `Review "${o.definition.name}" is overdue (due ${new Date(o.dueAtMs).toISOString()})`,
        description: `The ${o.definition.cadence} ${o.definition.kind} review of ${new Date(o.periodStartMs).toISOString()} – ${new Date(o.periodEndMs).toISOString()} is ${o.status.replace('_', ' ')} past its due time; sign it off with \`evident reviews sign-off ${o.id}\`.`,
        severity: 'high',
        seqs: [],
        // Patterns as the review names them: a scoped reader sees the alert when it sees
        // the review's sources (`billing-*` is in a billing-* scope; `*` only unscoped).
        sources: [...o.definition.sources],
        triggeredAtMs: o.dueAtMs,
      });
      // Noted so the next pass skips it; a lost race is harmless (the key raises once).
      await replaceOccurrence(this.deps.store.state, {
        ...o,
        overdueAlertId: id,
        version: o.version + 1,
      });
    }
    return late.length;
  }
}

/** An occurrence of `d` for period `p`, copying the definition as it is now. */
export function occurrenceOf(
  d: ReviewDefinition,
  p: Period,
  id: string,
  nowMs: number,
): ReviewOccurrence {
  const end = localDate(d.timeZone, p.endMs);
  return {
    id,
    definitionId: d.id,
    definition: {
      name: d.name,
      kind: d.kind,
      cadence: d.cadence,
      timeZone: d.timeZone,
      sources: d.sources,
      filter: d.filter,
      reviewers: d.reviewers,
      dueDays: d.dueDays,
      countersign: d.countersign,
      version: d.version,
    },
    periodStartMs: p.startMs,
    periodEndMs: p.endMs,
    // Calendar days in the review's zone: due at local midnight, DST or not.
    dueAtMs: startOfLocalDay(d.timeZone, end.year, end.month, end.day + d.dueDays),
    status: 'open',
    pin: null,
    signOff: null,
    countersign: null,
    overdueAlertId: null,
    createdAtMs: nowMs,
    version: 1,
  };
}

/** Runs the schedule every `everyMs` until stopped (the server's monitor starts it). */
export function startReviewSchedule(
  schedule: ReviewSchedule,
  options: { everyMs?: number; onError?: (error: unknown) => void } = {},
): { stop(): Promise<void> } {
  let running: Promise<unknown> = Promise.resolve();
  let busy = false;
  const pass = () => {
    if (busy) return;
    busy = true;
    running = schedule
      .tick()
      .catch((error) => options.onError?.(error))
      .finally(() => {
        busy = false;
      });
  };
  pass();
  const timer = setInterval(pass, options.everyMs ?? 60_000);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
