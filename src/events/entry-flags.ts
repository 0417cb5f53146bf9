import { DEFAULT_LATE_AFTER_MS } from '../monitor/engine/event-time.js';
import { CLOCK_SKEW_FLAG, DEFAULT_MAX_CLOCK_SKEW_MS } from '../monitor/sources/skew-flags.js';
import type { StoredEntry } from '../store/store.js';

/** The limits read-time flags are judged by (the server's SourceSettings). */
export interface FlagLimits {
  maxClockSkewMs: number;
  lateAfterMs: number;
}

export const DEFAULT_FLAG_LIMITS: FlagLimits = {
  maxClockSkewMs: DEFAULT_MAX_CLOCK_SKEW_MS,
  lateAfterMs: DEFAULT_LATE_AFTER_MS,
};

/**
 * Read-time flags of entries, judged from the stored time columns (which `verify` checks
 * against the record), so no record is parsed for them:
 * - `historical`: a declared backfill (the record's own `historical: true`);
 * - `late`: received more than the late bound after its time (the rules never let it open
 *   an alert on its own; a backfill is always late);
 * - `clock_skew`: time and received_at disagree by more than the skew limit, for entries
 *   that are not a declared backfill (an import is old on purpose).
 * Built once with the server's limits; presenters are handed it and only format.
 */
export class EntryFlags {
  constructor(private readonly limits: FlagLimits = DEFAULT_FLAG_LIMITS) {}

  of(entry: StoredEntry): string[] {
    const flags: string[] = [];
    const skew = entry.receivedAtMs - entry.timeMs;
    // JCS puts "historical" at the top level right after "details"; the parse only runs for
    // the rare record that has the text at all (a "details" object might hold it too).
    const historical =
      entry.record.includes('"historical":true') &&
      (JSON.parse(entry.record) as { historical?: unknown }).historical === true;
    if (historical) flags.push('historical');
    if (historical || skew > this.limits.lateAfterMs) flags.push('late');
    if (!historical && Math.abs(skew) > this.limits.maxClockSkewMs) flags.push(CLOCK_SKEW_FLAG);
    return flags;
  }
}
