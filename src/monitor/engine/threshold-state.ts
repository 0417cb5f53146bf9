import { formatDuration } from '../rules/duration.js';
import { fieldText } from '../rules/field-path.js';
import type { CompiledRule } from '../rules/rule-set.js';
import type { ObservedEntry } from '../types.js';
import { judgedAtMs } from './event-time.js';
import {
  type Firing,
  type Item,
  type StateLimits,
  seqsBySource,
  spread,
  touch,
  uniqueSorted,
} from './limits.js';

/**
 * One group's recent entries, oldest first, at most `count` of them (the newest `count`
 * decide whether `count` fit the window). Counting entries keeps a list; counting distinct
 * values keeps each value's latest entry, keyed by the value.
 */
interface Bucket {
  list?: Item[];
  byValue?: Map<string, Item>;
  /** received_at of the newest item. */
  last: number;
  /** When the bucket last moved to the newest end of the map (see `evaluate`). */
  moved: number;
}

export interface ThresholdSnapshot {
  buckets: [key: string, items: Item[], moved: number][];
  /** received_at of the last sweep for expired groups. */
  swept: number;
}

/**
 * "count (or distinct values of a field) ≥ N within a sliding window, per group". The window
 * is (t − window, t] in received_at: an entry exactly `window` older than the newest has
 * left it. Keeping only the newest N entries per group is exact: if N entries fit the window,
 * the newest N do. After an alert the group starts counting afresh.
 */
export class ThresholdState {
  private readonly buckets = new Map<string, Bucket>();
  private readonly distinct: boolean;
  private items = 0;
  private swept = 0;

  constructor(
    private readonly rule: CompiledRule,
    private readonly limits: StateLimits,
    snapshot?: ThresholdSnapshot,
  ) {
    this.distinct = rule.threshold!.distinct !== undefined;
    if (snapshot) this.swept = snapshot.swept;
    for (const [key, items, moved] of snapshot?.buckets ?? []) {
      const last = items[items.length - 1]?.[0] ?? 0;
      this.buckets.set(
        key,
        this.distinct
          ? { byValue: new Map(items.map((item) => [item[3]!, item])), last, moved }
          : { list: items, last, moved },
      );
      this.items += items.length;
    }
  }

  /** `late`: the entry counts in its window but cannot fire it (event-time.ts). */
  evaluate(e: ObservedEntry, late = false): Firing | undefined {
    const spec = this.rule.threshold!;
    const now = judgedAtMs(e);
    // Sweeping for expired groups once per eighth of a window is enough: an expired group
    // counts nothing (its items are filtered on use), it only holds memory a little longer.
    if (now - this.swept >= spec.windowMs / 8) {
      this.swept = now;
      this.expire(now, spec.windowMs);
    }
    const group = this.rule.group.keyOf(e.record);
    if (group === undefined) return undefined;
    let value: string | undefined;
    if (spec.distinct) {
      value = fieldText(spec.distinct(e.record));
      if (value === undefined) return undefined;
    }
    let bucket = this.buckets.get(group);
    if (!bucket) {
      bucket = this.distinct
        ? { byValue: new Map(), last: now, moved: now }
        : { list: [], last: now, moved: now };
      this.buckets.set(group, bucket);
    } else if (now - bucket.moved >= spec.windowMs / 8) {
      // Map order approximates recency (expiry and eviction start at the front); moving a
      // busy group at most 8 times per window keeps that cheap.
      bucket.moved = now;
      touch(this.buckets, group, bucket);
    }
    if (now > bucket.last) bucket.last = now;
    const size =
      value === undefined
        ? this.addEntry(bucket.list!, e, now)
        : this.addValue(bucket.byValue!, e, now, value);
    if (size < spec.count || late) {
      this.enforceLimits();
      return undefined;
    }
    this.drop(group);
    const list = bucket.list ?? [...bucket.byValue!.values()];
    const what = spec.distinct
      ? `${list.length} distinct ${this.rule.spec.threshold!.distinct} values`
      : `${list.length} matching entries`;
    return {
      seqs: list.map((i) => i[1]).sort((a, b) => a - b),
      sources: uniqueSorted(list.map((i) => i[2])),
      ...spread(seqsBySource(list)),
      group,
      summary: `${what} within ${formatDuration(spec.windowMs)}`,
    };
  }

  /** Appends the entry, drops what left the window or exceeds `count`; returns the size. */
  private addEntry(list: Item[], e: ObservedEntry, now: number): number {
    const { windowMs, count } = this.rule.threshold!;
    const before = list.length;
    let drop = 0;
    while (drop < list.length && now - list[drop]![0] >= windowMs) drop++;
    if (list.length - drop >= count) drop = list.length - count + 1;
    if (drop > 0) list.splice(0, drop);
    // Event time arrives slightly out of order: keep the list sorted by time, so expiry at
    // the front stays exact. Almost always this is the end.
    let at = list.length;
    while (at > 0 && list[at - 1]![0] > now) at--;
    list.splice(at, 0, [now, e.seq, e.source]);
    this.items += list.length - before;
    return list.length;
  }

  private addValue(byValue: Map<string, Item>, e: ObservedEntry, now: number, value: string) {
    const { windowMs, count } = this.rule.threshold!;
    const before = byValue.size;
    // Every item is checked (at most `count` of them): with event time, the map's
    // insertion order is only roughly time order.
    for (const [k, item] of byValue) if (now - item[0] >= windowMs) byValue.delete(k);
    byValue.delete(value);
    byValue.set(value, [now, e.seq, e.source, value]);
    for (const k of byValue.keys()) {
      if (byValue.size <= count) break;
      byValue.delete(k);
    }
    this.items += byValue.size - before;
    return byValue.size;
  }

  snapshot(): ThresholdSnapshot {
    return {
      buckets: [...this.buckets].map(([key, b]) => [
        key,
        b.list ?? [...b.byValue!.values()],
        b.moved,
      ]),
      swept: this.swept,
    };
  }

  /** Groups are in (roughly) last-update order, so expired ones gather at the front. */
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
    this.items -= bucket.list?.length ?? bucket.byValue!.size;
    this.buckets.delete(key);
  }
}
