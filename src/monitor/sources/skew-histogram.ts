/**
 * Upper edges (ms) of the buckets of |received_at − time|: fine near zero, where healthy
 * sources are, and from a second on each edge at most 2.5 × the one before (1.5 × around
 * an hour), so a quantile read from a bucket stays near the truth: an 80-minute skew falls
 * in 60–90 min, not in "1–6 h". A fixed set, so a source's distribution costs the same few
 * numbers whether it sent ten events or ten million.
 */
export const SKEW_EDGES_MS = [
  0, 1, 5, 10, 50, 100, 250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000,
  600_000, 900_000, 1_800_000, 2_700_000, 3_600_000, 5_400_000, 7_200_000, 10_800_000, 14_400_000,
  21_600_000, 43_200_000, 86_400_000, 172_800_000, 345_600_000, 604_800_000, 1_209_600_000,
  2_592_000_000,
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

/** One bucket in signed order: its count and the signed skews it spans. */
interface SignedBucket {
  count: number;
  lo: number;
  hi: number;
}

/** Buckets in ascending signed order: most-ahead first, then through zero to most-behind. */
function signedBuckets(h: SkewHistogram): SignedBucket[] {
  const last = SKEW_EDGES_MS.length;
  const lowerEdge = (k: number) => (k === 0 ? 0 : SKEW_EDGES_MS[k - 1]!);
  // The overflow bucket ends at the observed extreme rather than at infinity.
  const upperEdge = (k: number, extreme: number) => (k === last ? extreme : SKEW_EDGES_MS[k]!);
  const out: SignedBucket[] = [];
  for (let k = last; k >= 0; k--) {
    out.push({
      count: h.ahead[k]!,
      lo: -upperEdge(k, Math.abs(h.minMs!)),
      hi: -lowerEdge(k),
    });
  }
  for (let k = 0; k <= last; k++) {
    out.push({ count: h.behind[k]!, lo: lowerEdge(k), hi: upperEdge(k, Math.abs(h.maxMs!)) });
  }
  return out;
}

/**
 * The q-quantile (0 < q ≤ 1) of the signed skew, in whole ms: the bucket holding rank
 * q × count, interpolated linearly within it (as Prometheus' histogram_quantile does), then
 * clamped to the observed extremes.
 */
export function skewQuantile(h: SkewHistogram, q: number): number | null {
  if (h.count === 0 || h.minMs === null || h.maxMs === null) return null;
  const rank = q * h.count;
  const clamp = (v: number) => Math.min(h.maxMs!, Math.max(h.minMs!, v));
  let seen = 0;
  for (const bucket of signedBuckets(h)) {
    if (bucket.count === 0) continue;
    if (seen + bucket.count >= rank) {
      const within = (rank - seen) / bucket.count;
      return Math.round(clamp(bucket.lo + (bucket.hi - bucket.lo) * within));
    }
    seen += bucket.count;
  }
  return h.maxMs;
}
