import { formatDuration } from '../rules/duration.js';
import { fieldText } from '../rules/field-path.js';
import type { CompiledRule } from '../rules/rule-set.js';
import type { ObservedEntry } from '../types.js';
import { type Firing, type Item, type StateLimits, touch, uniqueSorted } from './limits.js';

interface Bucket {
  /**
   * Oldest first, at most `count` (the newest `count` decide whether `count` fit the window).
   * For distinct counting, keyed by the value, each holding its latest entry.
   */
  items: Map<string | number, Item>;
  /** received_at of the newest item. */
  last: number;
}

export type ThresholdSnapshot = [key: string, items: Item[]][];

/**
 * "count (or distinct values of a field) ≥ N within a sliding window, per group". The window
 * is (t − window, t] in received_at: an entry exactly `window` older than the newest has
 * left it. Keeping only the newest N entries per group is exact: if N entries fit the window,
 * the newest N do. After an alert the group starts counting afresh.
 */
export class ThresholdState {
  private readonly buckets = new Map<string, Bucket>();
  private items = 0;

  constructor(
    private readonly rule: CompiledRule,
    private readonly limits: StateLimits,
    snapshot?: ThresholdSnapshot,
  ) {
    const distinct = rule.threshold!.distinct !== undefined;
    for (const [key, items] of snapshot ?? []) {
      const map = new Map<string | number, Item>(
        items.map((item) => [distinct ? item[3]! : item[1], item]),
      );
      this.buckets.set(key, { items: map, last: items[items.length - 1]?.[0] ?? 0 });
      this.items += map.size;
    }
  }

  evaluate(e: ObservedEntry): Firing | undefined {
    const spec = this.rule.threshold!;
    const now = e.receivedAtMs;
    this.expire(now, spec.windowMs);
    const group = this.rule.group.keyOf(e.record);
    if (group === undefined) return undefined;
    let distinct: string | undefined;
    if (spec.distinct) {
      distinct = fieldText(spec.distinct(e.record));
      if (distinct === undefined) return undefined;
    }
    const bucket = this.buckets.get(group) ?? { items: new Map(), last: now };
    bucket.last = now;
    touch(this.buckets, group, bucket);
    const items = bucket.items;
    const before = items.size;
    for (const [k, item] of items) {
      if (now - item[0] < spec.windowMs) break;
      items.delete(k);
    }
    if (distinct === undefined) items.set(e.seq, [now, e.seq, e.source]);
    else {
      items.delete(distinct);
      items.set(distinct, [now, e.seq, e.source, distinct]);
    }
    for (const k of items.keys()) {
      if (items.size <= spec.count) break;
      items.delete(k);
    }
    this.items += items.size - before;

    if (items.size >= spec.count) {
      this.drop(group);
      const list = [...items.values()];
      const what = spec.distinct
        ? `${list.length} distinct ${this.rule.spec.threshold!.distinct} values`
        : `${list.length} matching entries`;
      return {
        seqs: list.map((i) => i[1]).sort((a, b) => a - b),
        sources: uniqueSorted(list.map((i) => i[2])),
        group,
        summary: `${what} within ${formatDuration(spec.windowMs)}`,
      };
    }
    this.enforceLimits();
    return undefined;
  }

  snapshot(): ThresholdSnapshot {
    return [...this.buckets].map(([key, b]) => [key, [...b.items.values()]]);
  }

  /** Groups are in last-update order, so expired ones sit at the front. */
  private expire(now: number, windowMs: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.last < windowMs) return;
      this.drop(key);
    }
  }

  private enforceLimits(): void {
    while (
      this.buckets.size > this.limits.maxGroupsPerRule ||
      this.items > this.limits.maxItemsPerRule
    ) {
      const oldest = this.buckets.keys().next();
      if (oldest.done) return;
      this.drop(oldest.value);
    }
  }

  private drop(key: string): void {
    const bucket = this.buckets.get(key);
    if (!bucket) return;
    this.items -= bucket.items.size;
    this.buckets.delete(key);
  }
}
