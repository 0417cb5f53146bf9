/**
 * Upper edges (ms) of the buckets of |received_at − time|: fine near zero, where healthy
 * sources are, coarse beyond a minute. A fixed set, so a source's distribution costs the same
 * few numbers whether it sent ten events or ten million.
 */
export const SKEW_EDGES_MS = [
  0, 1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 1_800_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000, 2_592_000_000,
] as const;

/** Counts by signed bucket: `ahead[k]` and `behind[k]` cover |skew| in (edge k−1, edge k]. */
export interface SkewHistogram {
  /** Skew ≥ 0: the source's clock is behind (or equal to) the server's; index K is overflow. */
  behind: number[];
  /** Skew < 0: the source's clock is ahead of the server's. */
  ahead: number[];
  count: number;
  /** Exact extremes of received_at − time. */
  minMs: number | null;
  maxMs: number | null;
  /** Entries beyond the skew limit in force when they were observed. */
  beyond: number;
}

export function emptySkewHistogram(): SkewHistogram {
  const size = SKEW_EDGES_MS.length + 1;
  return {
    behind: new Array<number>(size).fill(0),
    ahead: new Array<number>(size).fill(0),
    count: 0,
    minMs: null,
    maxMs: null,
    beyond: 0,
  };
}

function bucketOf(magnitude: number): number {
  let k = 0;
  while (k < SKEW_EDGES_MS.length && magnitude > SKEW_EDGES_MS[k]!) k++;
  return k;
}

/** Adds one skew in place (the caller owns `h`). */
export function addSkew(h: SkewHistogram, skewMs: number, maxSkewMs: number): void {
  const k = bucketOf(Math.abs(skewMs));
  if (skewMs < 0) h.ahead[k]!++;
  else h.behind[k]!++;
  h.count++;
  h.minMs = h.minMs === null ? skewMs : Math.min(h.minMs, skewMs);
  h.maxMs = h.maxMs === null ? skewMs : Math.max(h.maxMs, skewMs);
  if (Math.abs(skewMs) > maxSkewMs) h.beyond++;
}

/**
 * The q-quantile (0 < q ≤ 1) of the signed skew, as the bucket edge farthest from zero,
 * clamped to the observed extremes: never understates how far off a clock is.
 */
export function skewQuantile(h: SkewHistogram, q: number): number | null {
  if (h.count === 0 || h.minMs === null || h.maxMs === null) return null;
  const rank = Math.max(1, Math.ceil(q * h.count));
  const clamp = (v: number) => Math.min(h.maxMs!, Math.max(h.minMs!, v));
  let seen = 0;
  // Ascending signed order: most-ahead first, then through zero to most-behind.
  for (let k = h.ahead.length - 1; k >= 0; k--) {
    seen += h.ahead[k]!;
    if (seen >= rank) return clamp(-(SKEW_EDGES_MS[k] ?? Number.POSITIVE_INFINITY));
  }
  for (let k = 0; k < h.behind.length; k++) {
    seen += h.behind[k]!;
    if (seen >= rank) return clamp(SKEW_EDGES_MS[k] ?? Number.POSITIVE_INFINITY);
  }
  return h.maxMs;
}
