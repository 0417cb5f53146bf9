import { signCheckpoint } from '../core/checkpoint.js';
import type { MerkleFrontier } from '../core/merkle.js';
import type { NoteSigner } from '../core/note.js';
import { canonicalRecord } from '../core/record/canonical.js';
import type { EventRecord, SubmittedRecord } from '../core/record/types.js';
import { AppError } from '../errors.js';
import type { AppendTransaction, LogHead, NewEntry, Store, StoredNode } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { loadFrontier } from './frontier.js';
import { type PreparedEntry, prepareEntries, withReceivedAt } from './prepare-entries.js';

export interface AppendedEntry {
  id: string;
  seq: number;
  leafHash: Uint8Array;
  /** True when the id was already stored with the same content (an idempotent retry). */
  duplicate: boolean;
}

export interface AppendResult {
  entries: AppendedEntry[];
  /** A signed checkpoint whose tree contains every entry above. */
  checkpoint: string;
  treeSize: number;
}

export interface SequencerOptions {
  /** Upper bound on events per group commit (a batch always takes at least one request). */
  maxBatchEvents?: number;
}

interface Pending {
  records: readonly PreparedEntry[];
  source: string;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** What a request contributes to a batch, decided before anything is appended. */
interface Staged {
  pending: Pending;
  results: { id: string; ref: KnownId; duplicate: boolean }[];
  fresh: { entry: NewEntry; ref: KnownId }[];
}

interface KnownId {
  source: string;
  receivedAt: string;
  record: string;
  /** -1 until a fresh entry is appended; stored entries have theirs. */
  seq: number;
  leafHash: Uint8Array;
}

/**
 * The single appender of the log (DESIGN §1). Requests queue while a batch commits; the
 * next batch takes all of them, extends the Merkle tree from the committed head, writes
 * entries + nodes + ONE signed checkpoint in one durable transaction, and only then answers
 * every request with that checkpoint. A request is all-or-nothing.
 */
export class Sequencer {
  private readonly queue: Pending[] = [];
  private scheduled = false;
  private running = false;
  private frontier: MerkleFrontier | undefined;
  private readonly maxBatchEvents: number;

  constructor(
    private readonly store: Store,
    private readonly signer: NoteSigner,
    private readonly origin: string,
    private readonly clock: Clock,
    private readonly newId: IdGenerator,
    options: SequencerOptions = {},
  ) {
    this.maxBatchEvents = options.maxBatchEvents ?? 20_000;
  }

  /**
   * Appends validated records as one all-or-nothing request. Server fields, canonical form
   * and leaf hashes are computed here, synchronously, before the request joins the queue:
   * that CPU work overlaps with the batch being committed instead of lengthening it.
   */
  append(submitted: readonly SubmittedRecord[], source: string): Promise<AppendResult> {
    if (submitted.length === 0)
      return Promise.reject(new AppError('bad_request', 'no events to append'));
    let records: PreparedEntry[];
    try {
      records = prepareEntries(submitted, source, this.clock.now(), this.newId);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ records, source, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything queued so far has been committed or refused. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running || this.scheduled) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    // setImmediate runs after the event loop's I/O phase: every request that arrived while
    // the previous batch committed has been parsed and queued by then, so it joins this batch.
    setImmediate(() => void this.runBatch());
  }

  private async runBatch(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    const batch = this.takeBatch();
    try {
      await this.commit(batch);
    } catch (error) {
      // The committed head is unknown now: reload it from the store next time.
      this.frontier = undefined;
      const failure =
        error instanceof AppError
          ? error
          : new AppError(
              'unavailable',
              'the log could not commit this batch; retry with the same event ids',
              {
                cause: error,
              },
            );
      for (const p of batch) p.reject(failure);
    } finally {
      this.running = false;
      if (this.queue.length > 0) this.schedule();
    }
  }

  private takeBatch(): Pending[] {
    const batch: Pending[] = [];
    let events = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (batch.length > 0 && events + next.records.length > this.maxBatchEvents) break;
      batch.push(next);
      events += next.records.length;
      this.queue.shift();
    }
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    const nowMs = this.clock.now();
    const outcome = await this.store.append(async (tx) => {
      const head = await tx.head();
      if (!head) throw new AppError('unavailable', 'the log is not initialised');
      const frontier = await this.frontierFor(tx, head);
      // Server time never runs backwards along the log (a clock step, another process).
      const floor = { receivedAtMs: head.lastReceivedAtMs };

      const known = await this.knownIds(tx, batch);
      const staged: Staged[] = [];
      const refused: { pending: Pending; error: unknown }[] = [];
      for (const pending of batch) {
        try {
          staged.push(this.stage(pending, floor, known));
        } catch (error) {
          refused.push({ pending, error });
        }
      }

      const next = frontier.clone();
      const entries: NewEntry[] = [];
      const nodes: StoredNode[] = [];
      for (const s of staged) {
        for (const f of s.fresh) {
          f.ref.seq = next.size;
          f.entry.seq = f.ref.seq;
          entries.push(f.entry);
          for (const n of next.append(f.ref.leafHash)) nodes.push(n);
        }
      }

      let checkpoint = head.checkpoint.note;
      if (entries.length > 0) {
        const rootHash = next.root();
        checkpoint = signCheckpoint(
          { origin: this.origin, size: next.size, rootHash, extensions: [] },
          this.signer,
        );
        await tx.insert({
          entries,
          nodes,
          checkpoint: { size: next.size, rootHash, note: checkpoint, createdAtMs: nowMs },
        });
      }
      return { next, staged, refused, checkpoint };
    });

    this.frontier = outcome.next;
    const treeSize = outcome.next.size;
    for (const s of outcome.staged) {
      // Read seqs only now: an id repeated within the batch points at its first occurrence.
      const entries = s.results.map((r) => ({
        id: r.id,
        seq: r.ref.seq,
        leafHash: r.ref.leafHash,
        duplicate: r.duplicate,
      }));
      s.pending.resolve({ entries, checkpoint: outcome.checkpoint, treeSize });
    }
    for (const r of outcome.refused) r.pending.reject(r.error);
  }

  private async frontierFor(tx: AppendTransaction, head: LogHead): Promise<MerkleFrontier> {
    if (this.frontier && this.frontier.size === head.size) return this.frontier;
    // Another writer appended (or we just started): rebuild from the committed nodes.
    this.frontier = await loadFrontier(tx, head);
    return this.frontier;
  }

  private async knownIds(tx: AppendTransaction, batch: Pending[]): Promise<Map<string, KnownId>> {
    const ids: string[] = [];
    for (const p of batch) for (const r of p.records) if (r.clientId) ids.push(r.record.id);
    const known = new Map<string, KnownId>();
    if (ids.length === 0) return known;
    const stored = await tx.entriesByIds(ids);
    for (const [id, e] of stored) {
      const record = JSON.parse(e.record) as EventRecord;
      known.set(id, {
        source: e.source,
        receivedAt: record.received_at,
        record: e.record,
        seq: e.seq,
        leafHash: e.leafHash,
      });
    }
    return known;
  }

  /** Checks every record of one request against what is stored; throws to refuse it whole. */
  private stage(
    pending: Pending,
    floor: { receivedAtMs: number },
    known: Map<string, KnownId>,
  ): Staged {
    const staged: Staged = { pending, results: [], fresh: [] };
    const added: string[] = [];
    const floorBefore = floor.receivedAtMs;
    try {
      for (const prepared of pending.records) {
        const id = prepared.record.id;
        const previous = known.get(id);
        if (previous) {
          if (!sameEvent(previous, prepared, pending.source)) {
            throw new AppError(
              'conflict',
              `event id ${id} is already stored with different content${previous.seq >= 0 ? ` (seq ${previous.seq})` : ''}; use a new id for a new event`,
            );
          }
          staged.results.push({ id, ref: previous, duplicate: true });
          continue;
        }
        const entry =
          prepared.receivedAtMs < floor.receivedAtMs
            ? withReceivedAt(prepared, floor.receivedAtMs)
            : prepared;
        floor.receivedAtMs = entry.receivedAtMs;
        const ref: KnownId = {
          source: pending.source,
          receivedAt: entry.record.received_at,
          record: entry.text,
          seq: -1,
          leafHash: entry.leafHash,
        };
        known.set(id, ref);
        added.push(id);
        staged.results.push({ id, ref, duplicate: false });
        staged.fresh.push({ entry: columnsOf(entry.record, entry.text, entry.leafHash), ref });
      }
    } catch (error) {
      for (const id of added) known.delete(id);
      floor.receivedAtMs = floorBefore;
      throw error;
    }
    return staged;
  }
}

/** A retry carries the same event: same source, same record apart from the server's received_at. */
function sameEvent(previous: KnownId, prepared: PreparedEntry, source: string): boolean {
  if (previous.source !== source) return false;
  if (previous.receivedAt === prepared.record.received_at) return previous.record === prepared.text;
  return (
    previous.record === canonicalRecord({ ...prepared.record, received_at: previous.receivedAt })
  );
}

/** The row for a new entry; its seq is set once the batch's order is fixed. */
function columnsOf(record: EventRecord, text: string, leafHash: Uint8Array): NewEntry {
  return {
    seq: -1,
    leafHash,
    id: record.id,
    source: record.source,
    record: text,
    actorId: record.actor.id,
    action: record.action,
    targetType: record.target?.type ?? null,
    targetId: record.target?.id ?? null,
    outcome: record.outcome,
    timeMs: Date.parse(record.time),
    receivedAtMs: Date.parse(record.received_at),
  };
}
