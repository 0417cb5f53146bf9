import type { Bar } from './components/bar-chart.js';

/** The answer of GET /api/v1/events/facets. */
export interface FacetCounts {
  scanned: number;
  /** False when more matched than the server counts (it counted the newest). */
  complete: boolean;
  facets: Record<'source' | 'action' | 'outcome' | 'actor', { value: string; count: number }[]>;
  buckets: { start: string; count: number }[];
  never_matches?: string;
}

/** Bars for the server's activity buckets, gaps filled, the newest `maxBars` kept. */
export function bucketBars(buckets: FacetCounts['buckets'], widthMs: number, maxBars = 60): Bar[] {
  const counts = new Map<number, number>();
  for (const b of buckets) counts.set(Date.parse(b.start), b.count);
  const starts = [...counts.keys()].sort((a, b) => a - b);
  if (starts.length === 0) return [];
  const last = starts.at(-1)!;
  const first = Math.max(starts[0]!, last - (maxBars - 1) * widthMs);
  const day = widthMs >= 86_400_000;
  const bars: Bar[] = [];
  for (let at = first; at <= last; at += widthMs) {
    const iso = new Date(at).toISOString();
    bars.push({
      label: day ? iso.slice(0, 10) : `${iso.slice(5, 13).replace('T', ' ')}h`,
      values: { events: counts.get(at) ?? 0 },
    });
  }
  return bars;
}
