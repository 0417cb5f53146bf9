import { fieldText } from '../rules/field-path.js';
import { networkOf } from '../rules/ip-network.js';
import type { CompiledRule } from '../rules/rule-set.js';
import type { ObservedEntry } from '../types.js';
import { type Firing, type StateLimits, touch } from './limits.js';

interface Known {
  values: string[];
  /** received_at of the group's first entry: it learns until firstSeen + learning. */
  firstSeen: number;
  /** Value → last seen, least recently seen first. */
  seen: Map<string, number>;
}

export type NewValueSnapshot = [
  key: string,
  values: string[],
  firstSeen: number,
  seen: [string, number][],
][];

/**
 * "A value (or an IP network) never seen before for this group, after a learning period":
 * e.g. a credential used from a new /24. During the learning period values are only
 * remembered. A group forgotten under the limits learns again, so forgetting can miss a new
 * value but never calls an old one new after learning.
 */
export class NewValueState {
  private readonly groups = new Map<string, Known>();
  private items = 0;

  constructor(
    private readonly rule: CompiledRule,
    private readonly limits: StateLimits,
    snapshot?: NewValueSnapshot,
  ) {
    for (const [key, values, firstSeen, seen] of snapshot ?? []) {
      this.groups.set(key, { values, firstSeen, seen: new Map(seen) });
      this.items += seen.length;
    }
  }

  evaluate(e: ObservedEntry): Firing | undefined {
    const spec = this.rule.newValue!;
    const raw = fieldText(spec.field(e.record));
    const value = raw === undefined ? undefined : spec.network ? networkOf(raw) : raw;
    if (value === undefined) return undefined;
    const group = this.rule.group.of(e.record);
    if (!group) return undefined;
    const now = e.receivedAtMs;
    const known = this.groups.get(group.key) ?? {
      values: group.values,
      firstSeen: now,
      seen: new Map<string, number>(),
    };
    touch(this.groups, group.key, known);
    const isNew = !known.seen.has(value);
    touch(known.seen, value, now);
    if (!isNew) return undefined;
    this.items += 1;
    if (known.seen.size > spec.maxValues) {
      known.seen.delete(known.seen.keys().next().value!);
      this.items -= 1;
    }
    this.enforceLimits();
    if (now - known.firstSeen < spec.learningMs) return undefined;
    const what = this.rule.spec.new_value!.field;
    return {
      seqs: [e.seq],
      sources: [e.source],
      values: group.values,
      summary: `${spec.network ? `${what} network` : what} ${value} not seen before in this group`,
    };
  }

  snapshot(): NewValueSnapshot {
    return [...this.groups].map(([key, k]) => [key, k.values, k.firstSeen, [...k.seen]]);
  }

  private enforceLimits(): void {
    while (
      this.groups.size > this.limits.maxGroupsPerRule ||
      this.items > this.limits.maxItemsPerRule
    ) {
      const oldest = this.groups.entries().next();
      if (oldest.done) return;
      this.items -= oldest.value[1].seen.size;
      this.groups.delete(oldest.value[0]);
    }
  }
}
