import type { ObservedEntry } from '../types.js';

/** Entries received more than this after their `time` are late (EVIDENT_LATE_EVENT_BOUND). */
export const DEFAULT_LATE_AFTER_MS = 15 * 60_000;

/**
 * When the rules judge an entry happened: the source's `time` (windows, calendars and
 * suppression run on event time, so an import of last month is judged on last month), but
 * never after the server received it: a source clock that runs ahead cannot push windows
 * into the future.
 */
export function judgedAtMs(e: ObservedEntry): number {
  return e.timeMs < e.receivedAtMs ? e.timeMs : e.receivedAtMs;
}

/**
 * Late: received more than `lateAfterMs` after its `time`, or a declared backfill. Late
 * entries are evaluated (they may complete a window together with timely ones) but never
 * open an alert on their own; a backfill never enters the live windows at all.
 */
export function isLate(e: ObservedEntry, lateAfterMs: number): boolean {
  return e.historical || e.receivedAtMs - e.timeMs > lateAfterMs;
}
