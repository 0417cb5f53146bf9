import type { SelfAudit, SelfAuditEvent } from '../log/self-audit.js';
import type { Store, StoredCheckpoint } from '../store/store.js';
import { allHolds, liveHolds } from '../store/tables/retention/legal-holds-table.js';
import { firstSeqNotPast } from '../store/tables/retention/purge-bookmark.js';
import {
  type PurgeCandidate,
  purgeCandidates,
  type SourceSelector,
} from '../store/tables/retention/purge-candidates.js';
import { purgePayloads } from '../store/tables/retention/purged-payloads-table.js';
import { retentionPolicies } from '../store/tables/retention/retention-policies-table.js';
import type { Clock } from '../util/clock.js';
import { holdCovers, type LegalHold } from './hold.js';
import {
  DEFAULT_POLICY_SOURCE,
  NEVER_PURGED_SOURCE,
  policyFields,
  purgeCutoff,
  type StoredPolicy,
} from './policy.js';
import { policyTarget } from './policy-change.js';
import { PURGE_ACTION, purgeDetails, seqRanges } from './purge-event.js';

/** One entry about to lose its payload, as the archive receives it. */
export interface PurgeEntry {
  seq: number;
  leafHash: Uint8Array;
  record: string;
}

/**
 * Called with each batch of a policy with `archive` on, before its purge event is appended
 * and before anything is removed; the purge waits for it, and a rejection stops the run
 * (nothing of that batch is purged). `checkpoint` is a signed checkpoint covering the batch.
 */
export type BeforePurge = (entries: PurgeEntry[], checkpoint: StoredCheckpoint) => Promise<void>;

export interface PurgeRunOptions {
  /** Stop after this many batches (the scheduler bounds one tick); default: until done. */
  maxBatches?: number;
}

export interface PolicyRun {
  source: string;
  purged: number;
  held: number;
  /** The retention.purge events appended. */
  purgeSeqs: number[];
}

export interface PurgeRunResult {
  policies: PolicyRun[];
  purged: number;
  /** True when maxBatches stopped the run before every policy was done. */
  more: boolean;
}

/** Payloads per purge event and transaction: bounded so ingest never waits long, and the event stays small. */
export const DEFAULT_PURGE_BATCH = 500;
const MAX_PURGE_BATCH = 1000;

/** The actor of the events a purge appends: Evident itself, applying the recorded policy. */
const PURGE_ACTOR = { kind: 'system', id: 'retention' } as const;

/**
 * Purges payloads past their policy's maximum (and minimum), never held ones, in bounded
 * batches. Each batch: the archive hook (when the policy archives), then a retention.purge
 * event naming the policy, the seq ranges and the count, then the removal in one short
 * transaction. Policies and holds are read afresh for every batch, so a hold placed while a
 * run is under way protects from the next batch on.
 */
export class PurgeRunner {
  private readonly batchSize: number;
  /**
   * Per policy (by source): the seq its next scan starts from. Every entry of the policy's
   * sources below it was past the cutoff when scanned, and is purged or was held. Valid only
   * under the policies and released holds it was made with (`basis`): a changed policy, or a
   * released hold (its entries are purgeable again), starts every scan from 0 once more. Kept
   * in this process: a restarted server (or another process taking the lease) scans once from
   * 0, which is slower, never wrong.
   */
  private readonly bookmarks = new Map<string, number>();
  private basis: string | undefined;

  constructor(
    private readonly deps: {
      store: Store;
      audit: Pick<SelfAudit, 'record' | 'recordWithin'>;
      clock: Clock;
      batchSize?: number;
      beforePurge?: BeforePurge;
    },
  ) {
    this.batchSize = Math.min(Math.max(1, deps.batchSize ?? DEFAULT_PURGE_BATCH), MAX_PURGE_BATCH);
  }

  /** Where each policy's next scan starts (by policy source). */
  scanStarts(): ReadonlyMap<string, number> {
    return this.bookmarks;
  }

  async runOnce(options: PurgeRunOptions = {}): Promise<PurgeRunResult> {
    let batchesLeft = options.maxBatches ?? Number.POSITIVE_INFINITY;
    const policies = await retentionPolicies(this.deps.store.state);
    const basis = await bookmarkBasis(this.deps.store, policies);
    if (basis !== this.basis) {
      this.bookmarks.clear();
      this.basis = basis;
    }
    const runs: PolicyRun[] = [];
    let more = false;
    for (const policy of policies) {
      if (batchesLeft <= 0) {
        more = true;
        break;
      }
      const run = { source: policy.source, purged: 0, held: 0, purgeSeqs: [] as number[] };
      runs.push(run);
      const startSeq = this.bookmarks.get(policy.source) ?? 0;
      // The earliest cutoff of this run: each batch's own cutoff is at least this.
      const startCutoff = purgeCutoff(policy, this.deps.clock.now());
      let fromSeq = startSeq;
      for (;;) {
        if (batchesLeft <= 0) {
          more = true;
          break;
        }
        const step = await this.batch(policy, policies, fromSeq);
        if (!step) break;
        run.held += step.held;
        fromSeq = step.nextSeq;
        if (step.purgeSeq !== undefined) {
          run.purgeSeqs.push(step.purgeSeq);
          run.purged += step.purged;
          batchesLeft--;
        }
      }
      if (startCutoff !== undefined && fromSeq > startSeq) {
        const notPast = await firstSeqNotPast(this.deps.store.state, {
          sources: selector(policy, policies),
          cutoffMs: startCutoff,
          fromSeq: startSeq,
        });
        this.bookmarks.set(policy.source, Math.min(fromSeq, notPast ?? fromSeq));
      }
    }
    return { policies: runs, purged: runs.reduce((n, r) => n + r.purged, 0), more };
  }

  /** One batch of `policy` from `fromSeq`; undefined when nothing is left to look at. */
  private async batch(
    policy: StoredPolicy,
    policies: readonly StoredPolicy[],
    fromSeq: number,
  ): Promise<{ purgeSeq?: number; purged: number; held: number; nextSeq: number } | undefined> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const cutoffMs = purgeCutoff(policy, now);
    if (cutoffMs === undefined) return undefined;
    const candidates = await purgeCandidates(store.state, {
      sources: selector(policy, policies),
      cutoffMs,
      fromSeq,
      limit: this.batchSize,
    });
    if (candidates.length === 0) return undefined;
    const nextSeq = candidates[candidates.length - 1]!.seq + 1;
    const holds = await liveHolds(store.state);
    const free = candidates.filter((c) => !isHeld(c, holds));
    const held = candidates.length - free.length;
    if (free.length === 0) return { purged: 0, held, nextSeq };
    if (policy.archive) await this.archive(free);
    // Holds are read again in the purge event's own transaction: a hold placed while the batch
    // was archived still protects it, and the holds verify replays at this event are exactly
    // the ones this purge obeyed.
    const { result: seqs, seqs: eventSeqs } = await this.deps.audit.recordWithin(async (tx) => {
      const latest = await liveHolds(tx);
      const still = free.filter((c) => !isHeld(c, latest)).map((c) => c.seq);
      if (still.length === 0) return { events: [], result: still };
      const event: SelfAuditEvent = {
        principal: PURGE_ACTOR,
        action: PURGE_ACTION,
        category: 'audit',
        target: policyTarget(policy.source),
        details: purgeDetails({
          policy: policyFields(policy),
          cutoffMs,
          ranges: seqRanges(still),
          count: still.length,
        }),
      };
      return { events: [event], result: still };
    });
    const purgeSeq = eventSeqs[0];
    if (purgeSeq === undefined) return { purged: 0, held: candidates.length, nextSeq };
    const purged = await store.transaction((tx) =>
      purgePayloads(tx, { purgeSeq, seqs, atMs: clock.now() }),
    );
    return { purgeSeq, purged, held: candidates.length - seqs.length, nextSeq };
  }

  private async archive(entries: readonly PurgeCandidate[]): Promise<void> {
    const hook = this.deps.beforePurge;
    if (!hook) {
      throw new Error(
        'a retention policy asks to archive before purge, but no archive is configured; nothing was purged',
      );
    }
    const head = await this.deps.store.head();
    if (!head) throw new Error('the log has no checkpoint to archive against');
    await hook(
      entries.map((e) => ({ seq: e.seq, leafHash: e.leafHash, record: e.record })),
      head.checkpoint,
    );
  }
}

/**
 * What the bookmarks were made under: every policy as stored (its version changes with each
 * set) and every released hold. A change to either invalidates them all.
 */
async function bookmarkBasis(store: Store, policies: readonly StoredPolicy[]): Promise<string> {
  const released = (await allHolds(store.state))
    .filter((h) => h.releasedAtMs !== null)
    .map((h) => h.id);
  return JSON.stringify([
    policies.map((p) => [p.source, policyFields(p), p.version, p.updatedAtMs]),
    released,
  ]);
}

function isHeld(candidate: PurgeCandidate, holds: readonly LegalHold[]): boolean {
  return holds.some((h) => holdCovers(h, candidate));
}

/** A source's own policy governs it; the default governs every source without one. */
function selector(policy: StoredPolicy, policies: readonly StoredPolicy[]): SourceSelector {
  if (policy.source !== DEFAULT_POLICY_SOURCE) return { source: policy.source };
  return {
    except: [
      NEVER_PURGED_SOURCE,
      ...policies.filter((p) => p.source !== DEFAULT_POLICY_SOURCE).map((p) => p.source),
    ],
  };
}
