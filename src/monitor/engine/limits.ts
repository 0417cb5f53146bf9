/**
 * Bounds on the window state one rule keeps, so memory and the persisted state document
 * stay bounded whatever the traffic (docs/rules.md "Limits"). When a bound is hit the least
 * recently active groups are forgotten first: that can delay or miss an alert for them,
 * never invent one (a forgotten new_value group starts learning again).
 */
export interface StateLimits {
  /** Groups (e.g. actors) tracked per rule. */
  maxGroupsPerRule: number;
  /** Remembered entries or values per rule, over all its groups. */
  maxItemsPerRule: number;
}

export const DEFAULT_LIMITS: StateLimits = {
  maxGroupsPerRule: 10_000,
  maxItemsPerRule: 50_000,
};

/** One remembered entry: received_at, seq, source, and the distinct value when counted. */
export type Item = [t: number, seq: number, source: string, value?: string];

/** What a rule's state reports when its condition holds for an entry. */
export interface Firing {
  seqs: number[];
  sources: string[];
  /** Each source's seqs, when the firing spans several (scoped readers see only theirs). */
  seqsBySource?: Record<string, number[]>;
  /** The group's key (Grouping.keyOf), from which the alert's group fields are named. */
  group: string;
  summary: string;
}

/** The items' seqs per source (ascending), or undefined when they all share one source. */
export function seqsBySource(items: readonly Item[]): Record<string, number[]> | undefined {
  const out: Record<string, number[]> = {};
  for (const [, seq, source] of items) {
    const list = out[source];
    if (list) list.push(seq);
    else out[source] = [seq];
  }
  const sources = Object.keys(out);
  if (sources.length < 2) return undefined;
  for (const s of sources) out[s]!.sort((a, b) => a - b);
  return out;
}

/** `{ seqsBySource }` when there is one, else nothing (optional fields stay absent). */
export function spread(bySource: Record<string, number[]> | undefined) {
  return bySource === undefined ? {} : { seqsBySource: bySource };
}

export function uniqueSorted(values: Iterable<string>): string[] {
  return [...new Set(values)].sort();
}

/** Moves `key` to the newest end of an insertion-ordered map (LRU order). */
export function touch<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
}
