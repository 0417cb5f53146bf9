import { formatDuration } from '../rules/duration.js';
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

/** A partial match: where it started and the entries it took so far. */
type Chain = { start: number; items: Item[] };

interface Progress {
  /** Recent matches of the first step, oldest first, at most its `count`. */
  first: Item[];
  /** chains[k]: the latest chain that reached step k (k ≥ 1; the last step fires instead). */
  chains: (Chain | null)[];
  last: number;
}

export type SequenceSnapshot = [key: string, first: Item[], chains: (Chain | null)[]][];

/**
 * "A (n times) then B (then C…) in the same group within a window". Every entry of one
 * chain lies in (start, start + window), start being its first entry's received_at. Steps
 * are tried from the last to the first, so one entry never serves two steps of a chain.
 * Each step names its own fields for the group (a grant's target.id, then the grantee's
 * actor.id), so a chain can follow a person across actions. A completed chain resets the
 * group.
 */
export class SequenceState {
  private readonly groups = new Map<string, Progress>();
  private items = 0;

  constructor(
    private readonly rule: CompiledRule,
    private readonly limits: StateLimits,
    snapshot?: SequenceSnapshot,
  ) {
    for (const [key, first, chains] of snapshot ?? []) {
      const last = Math.max(
        first[first.length - 1]?.[0] ?? 0,
        ...chains.map((c) => c?.items[c.items.length - 1]?.[0] ?? 0),
      );
      this.groups.set(key, { first, chains, last });
      this.items += countItems(first, chains);
    }
  }

  /** `late`: the entry may take a step of a chain but cannot complete one (event-time.ts). */
  evaluate(e: ObservedEntry, late = false): Firing | undefined {
    const spec = this.rule.sequence!;
    const now = judgedAtMs(e);
    const window = spec.windowMs;
    this.expire(now, window);
    const lastStep = spec.steps.length - 1;
    for (let k = lastStep; k >= 0; k--) {
      const step = spec.steps[k]!;
      if (!step.match(e)) continue;
      const group = step.group.keyOf(e.record);
      if (group === undefined) continue;
      const item: Item = [now, e.seq, e.source];
      if (k === 0) {
        const progress = this.groups.get(group) ?? {
          first: [],
          chains: Array(lastStep).fill(null),
          last: now,
        };
        const before = countItems(progress.first, progress.chains);
        progress.last = Math.max(progress.last, now);
        progress.first = progress.first.filter((i) => now - i[0] < window);
        progress.first.push(item);
        progress.first.sort((a, b) => a[0] - b[0]);
        if (progress.first.length > step.count) progress.first.shift();
        touch(this.groups, group, progress);
        this.items += countItems(progress.first, progress.chains) - before;
        continue;
      }
      const progress = this.groups.get(group);
      if (!progress) continue;
      const previous = k === 1 ? this.firstStepDone(progress, now) : progress.chains[k - 1];
      if (!previous || now - previous.start >= window || now < previous.start) continue;
      const items = [...previous.items, item];
      if (k === lastStep) {
        if (late) continue;
        this.drop(group);
        return {
          seqs: items.map((i) => i[1]),
          sources: uniqueSorted(items.map((i) => i[2])),
          ...spread(seqsBySource(items)),
          group,
          summary: `${spec.steps.length} steps in order within ${formatDuration(window)}`,
        };
      }
      const before = countItems(progress.first, progress.chains);
      progress.chains[k] = { start: previous.start, items };
      progress.last = Math.max(progress.last, now);
      touch(this.groups, group, progress);
      this.items += countItems(progress.first, progress.chains) - before;
    }
    this.enforceLimits();
    return undefined;
  }

  private firstStepDone(progress: Progress, now: number): Chain | undefined {
    const need = this.rule.sequence!.steps[0]!.count;
    const inWindow = progress.first.filter((i) => now - i[0] < this.rule.sequence!.windowMs);
    if (inWindow.length < need) return undefined;
    return { start: inWindow[0]![0], items: inWindow };
  }

  snapshot(): SequenceSnapshot {
    return [...this.groups].map(([key, p]) => [key, p.first, p.chains]);
  }

  private expire(now: number, window: number): void {
    for (const [key, progress] of this.groups) {
      if (now - progress.last < window) return;
      this.drop(key);
    }
  }

  private enforceLimits(): void {
    while (
      this.groups.size > this.limits.maxGroupsPerRule ||
      this.items > this.limits.maxItemsPerRule
    ) {
      const oldest = this.groups.keys().next();
      if (oldest.done) return;
      this.drop(oldest.value);
    }
  }

  private drop(key: string): void {
    const progress = this.groups.get(key);
    if (!progress) return;
    this.items -= countItems(progress.first, progress.chains);
    this.groups.delete(key);
  }
}

function countItems(first: Item[], chains: (Chain | null)[]): number {
  let n = first.length;
  for (const c of chains) n += c?.items.length ?? 0;
  return n;
}
