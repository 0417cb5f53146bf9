import { holdCovers } from '../retention/hold.js';
import {
  type PolicyFields,
  policyFor,
  policyFromFields,
  purgeCutoff,
} from '../retention/policy.js';
import { POLICY_SET_ACTION } from '../retention/policy-change.js';
import {
  PURGE_ACTION,
  type PurgeEventDetails,
  parsePurgeDetails,
} from '../retention/purge-event.js';
import { holdsLiveAt, type ReplayedHold } from './hold-replay.js';
import { fail } from './report.js';

/** An entry whose payload is gone: what its row still says (the leaf hash is in the tree). */
export interface PurgedRow {
  seq: number;
  source: string;
  receivedAtMs: number;
  /** As stored after the purge (sha256 digests); absent when the reader was not given them. */
  actorId?: string;
  targetId?: string | null;
}

/** One of the log's own retention events, already proven by the tree check. */
export interface RetentionEvent {
  seq: number;
  action: string;
  receivedAtMs: number;
  details: unknown;
}

/** What the explanation check found: every purged entry and the purge events that explained them. */
export interface PurgeSummary {
  entries: number;
  purgeEvents: number;
}

/**
 * Every missing payload must be explained by the log itself: a retention.purge event after
 * it whose ranges cover its seq, naming the policy the log's own retention.policy.set events
 * had in force for the entry's source at that point, under which the entry (by its server
 * received_at) was past both the maximum and the minimum at the purge event's time. Anything
 * else is tampering, named with the seq.
 *
 * `purged` comes in ascending seq order and is streamed (PurgedLedger): memory holds the
 * retention events and the few purge ranges around the current seq, not the purged rows.
 */
export async function checkPurges(
  purged: Iterable<PurgedRow> | AsyncIterable<PurgedRow>,
  events: readonly RetentionEvent[],
): Promise<PurgeSummary> {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const purges: { event: RetentionEvent; details: PurgeEventDetails }[] = [];
  let index: PurgeRangeIndex | undefined;
  const policies = new Map<string, PolicyFields | undefined>();
  const holds = new Map<number, ReplayedHold[]>();
  const explainedBy = new Set<number>();
  let entries = 0;
  for await (const row of purged) {
    if (!index) {
      // Parsed at the first purged entry: a log with no purged entry does not need them readable.
      for (const event of sorted) {
        if (event.action !== PURGE_ACTION) continue;
        const details = parsePurgeDetails(event.details);
        if (typeof details === 'string') {
          fail(
            'purge_unjustified',
            `the retention.purge event at seq ${event.seq} is unreadable: ${details}`,
            event.seq,
          );
        }
        purges.push({ event, details });
      }
      index = new PurgeRangeIndex(purges);
    }
    entries++;
    const cover = index.coverOf(row.seq);
    if (!cover) {
      fail(
        'payload_missing',
        `entry ${row.seq}: its payload is missing and no retention.purge event covers it: it was deleted outside retention`,
        row.seq,
      );
    }
    explainedBy.add(cover.event.seq);
    const policyKey = `${cover.event.seq}\u0000${row.source}`;
    if (!policies.has(policyKey))
      policies.set(policyKey, policyAt(sorted, cover.event.seq, row.source));
    const policy = policies.get(policyKey);
    const named = cover.details.policy;
    if (!policy || !samePolicy(policy, named)) {
      fail(
        'purge_unjustified',
        `entry ${row.seq}: the retention.purge event at seq ${cover.event.seq} names policy ${describe(named)}, but the log's policy for source ${row.source} then was ${policy ? describe(policy) : 'none (kept forever)'}`,
        row.seq,
      );
    }
    const parsed = policyFromFields(policy);
    const cutoff =
      typeof parsed === 'string' ? undefined : purgeCutoff(parsed, cover.event.receivedAtMs);
    if (cutoff === undefined || row.receivedAtMs >= cutoff) {
      fail(
        'purge_unjustified',
        `entry ${row.seq} (received ${new Date(row.receivedAtMs).toISOString()}) was purged by the retention.purge event at seq ${cover.event.seq} (${new Date(cover.event.receivedAtMs).toISOString()}) before policy ${describe(policy)} allowed it: before its minimum or maximum retention`,
        row.seq,
      );
    }
    let live = holds.get(cover.event.seq);
    if (!live) {
      live = holdsLiveAt(sorted, cover.event.seq);
      holds.set(cover.event.seq, live);
    }
    const hold = heldBy(row, live);
    if (hold) {
      fail(
        'purge_of_held_entry',
        `entry ${row.seq} was purged by the retention.purge event at seq ${cover.event.seq} while legal hold ${hold.id} (matter ${hold.matter}, placed at seq ${hold.seq}) held it`,
        row.seq,
      );
    }
  }
  return { entries, purgeEvents: explainedBy.size };
}

interface IndexedPurge {
  event: RetentionEvent;
  details: PurgeEventDetails;
}

/**
 * The purge events' ranges, swept in ascending seq: each lookup answers the earliest purge
 * event after the seq whose ranges contain it, holding only the ranges open at that seq.
 */
class PurgeRangeIndex {
  private readonly ranges: { from: number; to: number; purge: IndexedPurge }[];
  private next = 0;
  private open: { from: number; to: number; purge: IndexedPurge }[] = [];
  private lastSeq = -1;

  constructor(purges: readonly IndexedPurge[]) {
    this.ranges = purges
      .flatMap((purge) => purge.details.ranges.map(([from, to]) => ({ from, to, purge })))
      .sort((a, b) => a.from - b.from);
  }

  coverOf(seq: number): IndexedPurge | undefined {
    if (seq <= this.lastSeq)
      throw new Error(`purged entries out of seq order (${seq} after ${this.lastSeq})`);
    this.lastSeq = seq;
    while (this.next < this.ranges.length && this.ranges[this.next]!.from <= seq) {
      this.open.push(this.ranges[this.next]!);
      this.next++;
    }
    this.open = this.open.filter((r) => r.to >= seq);
    let best: IndexedPurge | undefined;
    for (const r of this.open) {
      if (r.purge.event.seq <= seq) continue;
      if (!best || r.purge.event.seq < best.event.seq) best = r.purge;
    }
    return best;
  }
}

/** The policy the log's events had set for `source` before `seq` (its own, else the default). */
function policyAt(
  events: readonly RetentionEvent[],
  seq: number,
  source: string,
): PolicyFields | undefined {
  const latest = new Map<string, PolicyFields>();
  for (const event of events) {
    if (event.seq >= seq) break;
    if (event.action !== POLICY_SET_ACTION) continue;
    const d = event.details as Record<string, unknown> | undefined;
    if (!d || typeof d.policy_source !== 'string') continue;
    latest.set(d.policy_source, {
      source: d.policy_source,
      min: typeof d.min === 'string' ? d.min : null,
      max: typeof d.max === 'string' ? d.max : null,
      archive: d.archive === true,
    });
  }
  return policyFor([...latest.values()], source);
}

function samePolicy(a: PolicyFields, b: PolicyFields): boolean {
  return a.source === b.source && a.min === b.min && a.max === b.max;
}

function describe(p: PolicyFields): string {
  return `${p.source} (min ${p.min ?? 'none'}, max ${p.max ?? 'forever'})`;
}

/** The hold, live at the purge event, that covered `row` (matched on the purge's digests). */
function heldBy(row: PurgedRow, live: readonly ReplayedHold[]) {
  return live.find((hold) => {
    // A reader that was not given the stored ids cannot judge holds that name one.
    if (hold.actorId !== null && row.actorId === undefined) return false;
    if (hold.targetId !== null && row.targetId === undefined) return false;
    return holdCovers(
      hold,
      {
        source: row.source,
        receivedAtMs: row.receivedAtMs,
        actorId: row.actorId ?? '',
        targetId: row.targetId ?? null,
      },
      true,
    );
  });
}
