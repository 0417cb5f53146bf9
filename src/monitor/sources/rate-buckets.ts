/** [bucket index, count] pairs in ascending index order: at most `keep` of them. */
export type Buckets = [number, number][];

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
/** Minute buckets for the last hour, hour buckets for the last day. */
export const MINUTES_KEPT = 60;
export const HOURS_KEPT = 24;

/**
 * Counts one event in bucket `index` (in place), dropping buckets `keep` or more behind it.
 * Events arrive in received_at order (it never decreases along the log), so the newest
 * bucket is always last.
 */
export function countIn(buckets: Buckets, index: number, keep: number): void {
  const last = buckets[buckets.length - 1];
  if (last && last[0] === index) last[1]++;
  else if (!last || last[0] < index) buckets.push([index, 1]);
  else {
    // Out of order (should not happen): count it where it belongs.
    const at = buckets.findIndex(([i]) => i >= index);
    if (buckets[at]![0] === index) buckets[at]![1]++;
    else buckets.splice(at, 0, [index, 1]);
  }
  const newest = buckets[buckets.length - 1]![0];
  while (buckets.length > 0 && buckets[0]![0] <= newest - keep) buckets.shift();
}

/** The events in the `span` buckets ending with bucket `current` (inclusive). */
export function countSince(buckets: Buckets, current: number, span: number): number {
  let n = 0;
  for (const [index, count] of buckets) if (index > current - span && index <= current) n += count;
  return n;
}
