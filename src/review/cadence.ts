import { localDate, startOfLocalDay } from './zoned-time.js';

export const CADENCES = ['daily', 'weekly', 'monthly', 'quarterly', 'yearly'] as const;
export type Cadence = (typeof CADENCES)[number];

/** One review period: [startMs, endMs), both local midnights in the definition's zone. */
export interface Period {
  startMs: number;
  endMs: number;
}

/**
 * The period of `cadence` that contains `ms`, in `zone`: a local day, an ISO week (from
 * Monday), a calendar month, a quarter (from January, April, July, October) or a year.
 * Ends are the next period's start, computed from the calendar (not by adding hours), so a
 * day across a DST change is 23 or 25 hours and a month is 28–31 days.
 */
export function periodContaining(cadence: Cadence, zone: string, ms: number): Period {
  const { year, month, day, weekday } = localDate(zone, ms);
  const at = (y: number, m: number, d: number) => startOfLocalDay(zone, y, m, d);
  switch (cadence) {
    case 'daily':
      return { startMs: at(year, month, day), endMs: at(year, month, day + 1) };
    case 'weekly': {
      const monday = day - ((weekday + 6) % 7);
      return { startMs: at(year, month, monday), endMs: at(year, month, monday + 7) };
    }
    case 'monthly':
      return { startMs: at(year, month, 1), endMs: at(year, month + 1, 1) };
    case 'quarterly': {
      const first = month - (month % 3);
      return { startMs: at(year, first, 1), endMs: at(year, first + 3, 1) };
    }
    case 'yearly':
      return { startMs: at(year, 0, 1), endMs: at(year + 1, 0, 1) };
  }
}

/**
 * The periods that have ended by `nowMs`, from the one containing `fromMs` on, oldest first,
 * at most `limit` of them (the newest when more have ended: a server down for years does
 * not generate thousands at once).
 */
export function endedPeriods(
  cadence: Cadence,
  zone: string,
  fromMs: number,
  nowMs: number,
  limit: number,
): Period[] {
  const last = periodContaining(cadence, zone, nowMs);
  const out: Period[] = [];
  // Walk back from the newest ended period: bounded by `limit`, whatever fromMs is.
  let endMs = last.startMs;
  while (out.length < limit && endMs > fromMs) {
    const p = periodContaining(cadence, zone, endMs - 1);
    if (p.endMs <= fromMs) break;
    out.push(p);
    endMs = p.startMs;
  }
  return out.reverse();
}
