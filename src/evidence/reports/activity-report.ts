import type { PeriodEvent } from './period-event.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Events per bucket of server time (received_at), for "activity over time" charts. */
export interface Activity {
  bucket: 'hour' | 'day' | 'week';
  /** Every bucket of the period, empty ones included, so a chart's axis is the period. */
  series: { start: string; events: number; failure: number; denied: number }[];
}

/** Buckets small enough to show a shape, few enough to draw: at most ~100 bars. */
function bucketFor(spanMs: number): { name: Activity['bucket']; ms: number } {
  if (spanMs <= 4 * DAY) return { name: 'hour', ms: HOUR };
  if (spanMs <= 100 * DAY) return { name: 'day', ms: DAY };
  return { name: 'week', ms: 7 * DAY };
}

/** Counts the events it is fed into the period's buckets. */
export class ActivityCounter {
  private readonly bucket: { name: Activity['bucket']; ms: number };
  private readonly counts: { events: number; failure: number; denied: number }[];

  constructor(
    private readonly fromMs: number,
    toMs: number,
  ) {
    this.bucket = bucketFor(toMs - fromMs);
    const n = Math.max(1, Math.ceil((toMs - fromMs) / this.bucket.ms));
    this.counts = Array.from({ length: n }, () => ({ events: 0, failure: 0, denied: 0 }));
  }

  add(e: PeriodEvent): void {
    const i = Math.floor((e.receivedAtMs - this.fromMs) / this.bucket.ms);
    const c = this.counts[i];
    if (!c) return;
    c.events++;
    if (e.record.outcome === 'failure') c.failure++;
    if (e.record.outcome === 'denied') c.denied++;
  }

  result(): Activity {
    return {
      bucket: this.bucket.name,
      series: this.counts.map((c, i) => ({
        start: new Date(this.fromMs + i * this.bucket.ms).toISOString(),
        ...c,
      })),
    };
  }
}
