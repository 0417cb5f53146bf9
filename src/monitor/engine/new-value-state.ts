import { fieldText } from '../rules/field-path.js';
import { networkOf } from '../rules/ip-network.js';
import type { CompiledRule } from '../rules/rule-set.js';
import type { ObservedEntry } from '../types.js';
import { judgedAtMs } from './event-time.js';
import type { Firing, StateLimits } from './limits.js';

interface Known {
  /** received_at of the group's first entry: it learns until firstSeen + learning. */
  firstSeen: number;
  /** Seen since the eviction hand last passed (second chance). */
  used: boolean;
  /** Value → seen again since the hand last passed. */
  seen: Map<string, boolean>;
}

export type NewValueSnapshot = [
  key: string,
  firstSeen: number,
  used: boolean,
  seen: [string, boolean][],
][];

/**
 * "A value (or an IP network) never seen before for this group, after a learning period":
 * e.g. a credential used from a new /24. During the learning period values are only
 * remembered. Most entries repeat known values, so a hit only sets a flag; when a bound is
 * reached, eviction gives every flagged entry a second chance (the CLOCK approximation of
 * least-recently-used). A group forgotten under the limits learns again, so forgetting can
 * miss a new value but never calls an old one new after learning.
 */
export class NewValueState {
  private readonly groups = new Map<string, Known>();
  private items = 0;

  constructor(
    private readonly rule: CompiledRule,
    private readonly limits: StateLimits,
    snapshot?: NewValueSnapshot,
  ) {
    for (const [key, firstSeen, used, seen] of snapshot ?? []) {
      this.groups.set(key, { firstSeen, used, seen: new Map(seen) });
      this.items += seen.length;
    }
  }

  /**
   * `late`: not learned and never alerting, so a delayed event from a new network cannot
   * teach it silently; the next timely use from there is judged as new (event-time.ts).
   */
  evaluate(e: ObservedEntry, late = false): Firing | undefined {
    if (late) return undefined;
    const spec = this.rule.newValue!;
    const raw = fieldText(spec.field(e.record));
    const value = raw === undefined ? undefined : spec.network ? networkOf(raw) : raw;
    if (value === undefined) return undefined;
    const group = this.rule.group.keyOf(e.record);
    if (group === undefined) return undefined;
    const now = judgedAtMs(e);
    let known = this.groups.get(group);
    if (known) {
      if (!known.used) known.used = true;
    } else {
      known = { firstSeen: now, used: false, seen: new Map() };
      this.groups.set(group, known);
    }
    const wasSeen = known.seen.get(value);
    if (wasSeen !== undefined) {
      if (!wasSeen) known.seen.set(value, true);
      return undefined;
    }
    known.seen.set(value, false);
    this.items += 1;
    if (known.seen.size > spec.maxValues) this.items -= evictOne(known.seen);
    this.enforceLimits(known);
    if (now - known.firstSeen < spec.learningMs) return undefined;
    const what = this.rule.spec.new_value!.field;
    return {
      seqs: [e.seq],
      sources: [e.source],
      group,
      summary: `${spec.network ? `${what} network` : what} ${value} not seen before in this group`,
    };
  }

  snapshot(): NewValueSnapshot {
    return [...this.groups].map(([key, k]) => [key, k.firstSeen, k.used, [...k.seen]]);
  }

  private enforceLimits(current: Known): void {
    while (
      this.groups.size > this.limits.maxGroupsPerRule ||
      this.items > this.limits.maxItemsPerRule
    ) {
      let evicted = false;
      for (const [key, known] of this.groups) {
        if (known === current) continue;
        if (known.used) {
          known.used = false;
          this.groups.delete(key);
          this.groups.set(key, known);
          continue;
        }
        this.items -= known.seen.size;
        this.groups.delete(key);
        evicted = true;
        break;
      }
      if (!evicted) return;
    }
  }
}

/** Drops the first value without a second chance; returns how many were dropped (1). */
function evictOne(seen: Map<string, boolean>): number {
  for (const [value, used] of seen) {
    seen.delete(value);
    if (!used) return 1;
    seen.set(value, false);
  }
  return 0;
}
