import type { PolicyFields } from './policy.js';

/** The action of the event a purge appends before it removes anything (source `evident`). */
export const PURGE_ACTION = 'retention.purge';

/** What a retention.purge event says, in its details: verify and the start-up re-apply read it. */
export interface PurgeEventDetails {
  policy: PolicyFields;
  /** Entries received before this instant were past the policy at the purge's time. */
  cutoffMs: number;
  /** The seqs whose payloads this purge removes, as inclusive ranges. */
  ranges: [number, number][];
  count: number;
}

/** Sorted seqs as inclusive ranges: [3,4,5,9] → [[3,5],[9,9]]. */
export function seqRanges(seqs: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const seq of seqs) {
    const last = out[out.length - 1];
    if (last && seq === last[1] + 1) last[1] = seq;
    else out.push([seq, seq]);
  }
  return out;
}

export function seqsOf(ranges: readonly [number, number][]): number[] {
  const out: number[] = [];
  for (const [from, to] of ranges) for (let s = from; s <= to; s++) out.push(s);
  return out;
}

/** The event's details: ranges as "from-to" text (event details hold flat lists only). */
export function purgeDetails(purge: PurgeEventDetails) {
  return {
    policy_source: purge.policy.source,
    min: purge.policy.min,
    max: purge.policy.max,
    archive: purge.policy.archive,
    cutoff: new Date(purge.cutoffMs).toISOString(),
    ranges: purge.ranges.map(([from, to]) => `${from}-${to}`),
    count: purge.count,
  };
}

/** The purge a recorded event describes, or a word on what is wrong with it. */
export function parsePurgeDetails(details: unknown): PurgeEventDetails | string {
  if (typeof details !== 'object' || details === null) return 'it has no details';
  const d = details as Record<string, unknown>;
  const text = (v: unknown) => v === null || typeof v === 'string';
  if (typeof d.policy_source !== 'string' || !text(d.min) || !text(d.max))
    return 'its policy is unreadable';
  if (typeof d.archive !== 'boolean') return 'its archive flag is unreadable';
  const cutoffMs = typeof d.cutoff === 'string' ? Date.parse(d.cutoff) : Number.NaN;
  if (!Number.isFinite(cutoffMs)) return 'its cutoff is unreadable';
  if (!Array.isArray(d.ranges) || typeof d.count !== 'number') return 'its ranges are unreadable';
  const ranges: [number, number][] = [];
  let count = 0;
  for (const r of d.ranges) {
    const m = typeof r === 'string' ? /^(\d{1,15})-(\d{1,15})$/.exec(r) : null;
    const from = m ? Number(m[1]) : Number.NaN;
    const to = m ? Number(m[2]) : Number.NaN;
    if (!(from <= to)) return `range ${String(r)} is unreadable`;
    ranges.push([from, to]);
    count += to - from + 1;
  }
  if (count !== d.count) return `its ranges hold ${count} seqs but it counts ${d.count}`;
  return {
    policy: {
      source: d.policy_source,
      min: d.min as string | null,
      max: d.max as string | null,
      archive: d.archive,
    },
    cutoffMs,
    ranges,
    count,
  };
}
