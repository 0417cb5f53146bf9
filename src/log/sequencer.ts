import { bytesEqual } from '../core/bytes.js';
import { signCheckpoint } from '../core/checkpoint.js';
import type { MerkleFrontier } from '../core/merkle.js';
import { firstSignatureKeyId, formatVerifierKey, type NoteSigner } from '../core/note.js';
import type { EventRecord, SubmittedRecord } from '../core/record/types.js';
import { AppError } from '../errors.js';
import type { QueryRunner } from '../store/sql/query-runner.js';
import { assertOutsideTransactionOf } from '../store/sql/transaction-scope.js';
import type {
  AppendTransaction,
  ExpectedHead,
  LogHead,
  NewEntry,
  Store,
  StoredCheckpoint,
  StoredEntry,
  StoredNode,
} from '../store/store.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { Mutex } from '../util/mutex.js';
import { type BatchTiming, CommitPacer } from './commit-pacer.js';
import { loadFrontier } from './frontier.js';
import { META_VERIFIER_KEY } from './init-log.js';
import {
  type PreparedEntry,
  prepareEntries,
  textWithReceivedAt,
  withReceivedAt,
} from './prepare-entries.js';

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

/**
 * An entry this process committed (the row it inserted): `record` is its canonical text, so
 * the monitor evaluates it without reading it back from the store.
 */
export type CommittedEntry = Pick<
  NewEntry,
  'seq' | 'source' | 'record' | 'timeMs' | 'receivedAtMs'
>;

export type CommitListener = (entries: readonly CommittedEntry[]) => void;

export interface SequencerOptions {
  /** Upper bound on events per group commit (a batch always takes at least one request). */
  maxBatchEvents?: number;
  /**
   * False: take the next batch as soon as one is in flight, without waiting for the writer
   * to be nearly free (CommitPacer). For comparisons (bench/group-commit.ts); default true.
   */
  linger?: boolean;
  /**
   * The private key for the log's current verifier key, when another process rotated it
   * (`evident keys rotate-log-key`); undefined when this process does not hold it.
   */
  signerFor?: (verifierKey: string) => NoteSigner | undefined;
}

interface Pending {
  records: readonly PreparedEntry[];
  source: string;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
  /** A lone event someone is waiting on (a read's self-audit): it commits ahead of ingest. */
  priority?: boolean;
  /**
   * State work that commits with this request's entries (appendWithin): it runs inside the
   * append lock and decides the records; such a request is always a batch of its own.
   */
  within?: (tx: QueryRunner) => Promise<{ records: readonly SubmittedRecord[] }>;
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

/** A batch worked out in full: rows, nodes, signed checkpoint, and each request's answer. */
interface Plan {
  /** The committed head this plan extends; it is applied only if that is still the head. */
  base: ExpectedHead;
  next: MerkleFrontier;
  /** next.root() */
  nextRootHash: Uint8Array;
  lastReceivedAtMs: number;
  entries: NewEntry[];
  nodes: StoredNode[];
  checkpoint: StoredCheckpoint | undefined;
  note: string;
  /** The key `note` was signed with: a plan signed by a rotated-out key is never applied. */
  signer: NoteSigner;
  staged: Staged[];
  refused: { pending: Pending; error: unknown }[];
}

/** The log as it will be once every planned batch has committed. */
interface Tip {
  frontier: MerkleFrontier;
  /** frontier.root(), kept: recomputing it costs one hash per set bit of the size per batch. */
  rootHash: Uint8Array;
  lastReceivedAtMs: number;
  note: string;
}

/** Batches in flight at once: one committing on the writer, the next planned behind it. */
const MAX_IN_FLIGHT = 2;
/** Priority requests (one event each) taken into one group at most. */
const MAX_PRIORITY_BATCH = 1000;

/**
 * The single appender of the log (one writer per log, group commit). Requests queue while a batch commits; the
 * next batch takes all of them, extends the Merkle tree, and writes entries + nodes + ONE
 * signed checkpoint in one durable transaction; only then is every request of the batch
 * answered with that checkpoint. A request is all-or-nothing.
 *
 * Pipelined: while batch k commits, batch k+1 is planned on top of k's expected result
 * (ids checked against the store and the batches in flight, tree extended, checkpoint
 * signed) and queued behind it. Inside the append lock a plan is applied only if the head
 * is exactly the one it was planned on; otherwise (k failed, another process appended) the
 * batch is planned again from the committed state, as it would have been without pipelining.
 */
export class Sequencer {
  private readonly queue: Pending[] = [];
  /** Priority requests in `queue`. */
  private queuedPriority = 0;
  private scheduled = false;
  /** Set while the next batch waits for the writer to be nearly free (CommitPacer). */
  private linger: ReturnType<typeof setTimeout> | undefined;
  private readonly pacer = new CommitPacer();
  /** Batches handed to the store and not yet settled, oldest (the one writing) first. */
  private readonly writing: BatchTiming[] = [];
  private inFlight = 0;
  /** Batches handed to the store so far: a batch's number says whether any came after it. */
  private handedOver = 0;
  /**
   * Committed batches by where they were planned: on the tip while the batch ahead committed
   * (pipelined), or inside the append lock (after a failure, another process's append, or a
   * batch with work inside the lock). Under steady load nearly all should be on the tip.
   */
  readonly planned = { onTip: 0, inLock: 0 };
  private readonly planning = new Mutex();
  /** The committed frontier, when this process knows it. */
  private frontier: MerkleFrontier | undefined;
  /** Where planned-but-uncommitted batches will leave the log; undefined when unsure. */
  private tip: Tip | undefined;
  /** Fresh ids of planned batches not yet committed (the store cannot see them yet). */
  private readonly pendingIds = new Map<string, KnownId>();
  private readonly commitListeners = new Set<CommitListener>();
  private readonly maxBatchEvents: number;
  /** The key this process signs with; replaced when another process rotates the log key. */
  private signer: NoteSigner;

  constructor(
    private readonly store: Store,
    signer: NoteSigner,
    private readonly origin: string,
    private readonly clock: Clock,
    private readonly newId: IdGenerator,
    private readonly options: SequencerOptions = {},
  ) {
    this.signer = signer;
    this.maxBatchEvents = options.maxBatchEvents ?? 20_000;
  }

  /** The key new checkpoints are signed with. */
  get currentSigner(): NoteSigner {
    return this.signer;
  }

  /**
   * Appends validated records as one all-or-nothing request. Server fields, canonical form
   * and leaf hashes are computed here, synchronously, before the request joins the queue:
   * that CPU work overlaps with the batch being committed instead of lengthening it.
   */
  append(
    submitted: readonly SubmittedRecord[],
    source: string,
    options: { historical?: boolean; priority?: boolean } = {},
  ): Promise<AppendResult> {
    if (submitted.length === 0)
      return Promise.reject(new AppError('empty_body', 'no events to append'));
    let records: PreparedEntry[];
    try {
      // From inside appendWithin's work this would wait for the batch it is part of.
      assertOutsideTransactionOf(this.store, 'an append');
      records = prepareEntries(
        submitted,
        source,
        this.clock.now(),
        this.newId,
        options.historical ?? false,
      );
    } catch (error) {
      return Promise.reject(error);
    }
    // Only a lone event jumps the queue: its commit stays small whatever waits behind it.
    const priority = options.priority === true && records.length === 1;
    return new Promise((resolve, reject) => {
      this.queue.push({ records, source, resolve, reject, priority });
      if (priority) {
        this.queuedPriority++;
        // An ingest batch lingering to grow must not hold a read back: the read commits now,
        // right behind the batch on the writer, and the ingest batch is paced again after it.
        this.endLinger();
      }
      this.schedule();
    });
  }

  /**
   * Runs `work` inside the log's append transaction and appends the records it returns:
   * its state writes (through `tx`) and the entries, tree nodes and signed checkpoint commit
   * as one durable transaction, or nothing does. `work` may throw (an AppError to refuse):
   * nothing is written and the promise rejects with that error. It runs in a batch of its
   * own, so it never costs another request its append. With no records, only the state
   * writes commit (`appended` is undefined).
   */
  async appendWithin<T>(
    source: string,
    work: (tx: QueryRunner) => Promise<{ records: readonly SubmittedRecord[]; result: T }>,
  ): Promise<{ result: T; appended: AppendResult | undefined }> {
    assertOutsideTransactionOf(this.store, 'an append');
    let result: T | undefined;
    let decided = false;
    const appended = await new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({
        records: [],
        source,
        resolve,
        reject,
        within: async (tx) => {
          const out = await work(tx);
          result = out.result;
          decided = true;
          return out;
        },
      });
      this.schedule();
    });
    if (!decided) throw new Error('appendWithin: the work did not run');
    return { result: result as T, appended: appended.entries.length > 0 ? appended : undefined };
  }

  /** Events waiting for a batch (not yet planned or committing): how far ingest is behind. */
  get queuedEvents(): number {
    let n = 0;
    for (const p of this.queue) n += p.records.length;
    return n;
  }

  /** Resolves once everything queued so far has been committed or refused. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0 || this.scheduled) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    // With no tip the next batch could only be planned inside the lock, behind the one in
    // flight; it waits instead, and that one, committing last, publishes its result as the
    // tip: pipelining resumes after one batch rather than never while the load lasts.
    if (this.inFlight > 0 && !this.tip) return;
    this.scheduled = true;
    // Only ingest lingers (to gather a larger group); a read waiting on its self-audit event is
    // planned at once and queued right behind the batch on the writer.
    const wait =
      this.inFlight === 1 && this.options.linger !== false && this.queuedPriority === 0
        ? this.pacer.lingerMs(this.writing[0], this.queuedEvents, performance.now())
        : 0;
    if (wait > 0) {
      this.linger = setTimeout(() => {
        this.linger = undefined;
        void this.runBatch();
      }, wait);
      return;
    }
    // setImmediate runs after the event loop's I/O phase: every request that arrived while
    // the previous batch was being planned or committed is queued by then and joins this one.
    setImmediate(() => void this.runBatch());
  }

  /** The writer is free sooner than estimated: take the lingering batch now. */
  private endLinger(): void {
    if (this.linger === undefined) return;
    clearTimeout(this.linger);
    this.linger = undefined;
    this.scheduled = false;
  }

  private async runBatch(): Promise<void> {
    this.scheduled = false;
    const batch = this.takeBatch();
    if (batch.length === 0) return;
    this.inFlight++;
    const nowMs = this.clock.now();
    const timing: BatchTiming = { events: 0, writerStartMs: undefined };
    for (const p of batch) timing.events += p.records.length;
    let planned: Plan | undefined;
    let committing: Promise<{ plan: Plan; replanned: boolean; published: boolean }> | undefined;
    try {
      // Plans are made, and handed to the store, strictly in queue order.
      await this.planning.run(async () => {
        const planStart = performance.now();
        planned = await this.planOnTip(batch, nowMs);
        if (planned) this.pacer.planned(timing.events, performance.now() - planStart);
        // Handed over in one step, it starts now, or once the batch ahead has committed; in
        // `append` it starts when it has the lock (set there).
        if (this.writing.length === 0 && this.store.appendIfHead)
          timing.writerStartMs = performance.now();
        this.writing.push(timing);
        const ticket = ++this.handedOver;
        committing = this.commit(batch, planned, nowMs, ticket, timing);
        committing.catch(() => undefined); // handled below; never an unhandled rejection
      });
      this.schedule(); // the next batch may plan while this one commits
      const { plan, replanned, published } = await committing!;
      if (timing.writerStartMs !== undefined)
        this.pacer.committed(plan.entries.length, performance.now() - timing.writerStartMs);
      // A batch planned on a tip this one invalidated must not be extended; unless this
      // batch was the last handed over and published its own result as the tip.
      if (replanned && !published) this.tip = undefined;
      this.answer(plan);
      this.tellCommitted(plan);
    } catch (error) {
      this.frontier = undefined;
      this.tip = undefined;
      const failure =
        error instanceof AppError
          ? error
          : new AppError(
              'commit_failed',
              'the log could not commit this batch; retry with the same event ids',
              {
                cause: error,
              },
            );
      for (const p of batch) p.reject(failure);
    } finally {
      if (planned)
        for (const s of planned.staged) for (const f of s.fresh) this.pendingIds.delete(f.entry.id);
      const at = this.writing.indexOf(timing);
      if (at >= 0) this.writing.splice(at, 1);
      // A batch handed over in one step behind this one is being written from now on.
      const behind = this.writing[0];
      if (this.store.appendIfHead && behind && behind.writerStartMs === undefined)
        behind.writerStartMs = performance.now();
      this.inFlight--;
      this.endLinger();
      if (this.inFlight === 0 && this.frontier && !this.tip) {
        // Settled: plan the next batch on what is now committed.
        this.tip = this.settledTip;
      }
      this.schedule();
    }
  }

  /** The tip once nothing is in flight: the committed frontier, last time and checkpoint. */
  private settledTip: Tip | undefined;

  /** Plans the batch on the tip of the batches in flight, or returns undefined when unsure. */
  private async planOnTip(batch: Pending[], nowMs: number): Promise<Plan | undefined> {
    const tip = this.tip;
    if (batch[0]?.within) {
      // Its records exist only once its work has run inside the lock; what follows it plans
      // on the committed state again.
      this.tip = undefined;
      return undefined;
    }
    if (!tip) return undefined;
    const known = await this.knownBeforeLock(batch);
    if (this.tip !== tip) return undefined; // a batch failed or was replanned meanwhile
    const plan = this.plan(batch, tip, known, nowMs);
    for (const s of plan.staged) for (const f of s.fresh) this.pendingIds.set(f.entry.id, f.ref);
    this.tip = {
      frontier: plan.next,
      rootHash: plan.nextRootHash,
      lastReceivedAtMs: plan.lastReceivedAtMs,
      note: plan.note,
    };
    return plan;
  }

  /**
   * Hands the batch to the store. A plan made on the tip needs nothing from inside the lock but
   * the head check, so where the store can take it in one step (Store.appendIfHead) the
   * writer commits it right after the batch ahead; when the head is not the one it was
   * planned on (a batch ahead failed, another process appended or rotated the key), it is
   * planned again inside the lock, as every batch without such a plan is.
   */
  private async commit(
    batch: Pending[],
    planned: Plan | undefined,
    nowMs: number,
    ticket: number,
    timing: BatchTiming,
  ): Promise<{ plan: Plan; replanned: boolean; published: boolean }> {
    if (this.store.appendIfHead && planned?.checkpoint && planned.signer === this.signer) {
      const { entries, nodes, checkpoint } = planned;
      if (await this.store.appendIfHead(planned.base, { entries, nodes, checkpoint })) {
        this.settle(planned);
        this.planned.onTip++;
        return { plan: planned, replanned: false, published: false };
      }
      planned = undefined;
    }
    return this.store.append((tx) => {
      timing.writerStartMs = performance.now();
      return this.commitInLock(tx, batch, planned, nowMs, ticket);
    });
  }

  /** The committed state is now `plan`'s result: where the next batch starts. */
  private settle(plan: Plan): void {
    this.frontier = plan.next;
    this.settledTip = {
      frontier: plan.next,
      rootHash: plan.nextRootHash,
      lastReceivedAtMs: plan.lastReceivedAtMs,
      note: plan.note,
    };
  }

  /** Inside the append lock: apply the plan if the head is the one it was made on, else replan. */
  private async commitInLock(
    tx: AppendTransaction,
    batch: Pending[],
    planned: Plan | undefined,
    nowMs: number,
    ticket: number,
  ): Promise<{ plan: Plan; replanned: boolean; published: boolean }> {
    const head = await tx.head();
    if (!head) throw new AppError('log_not_initialised', 'the log is not initialised');
    await this.followKeyRotation(tx, head);
    const within = batch[0]?.within;
    if (within) {
      // An AppError refuses as it is; anything else (a database failure) is a failed commit.
      const { records } = await within(tx.state);
      batch[0]!.records =
        records.length === 0
          ? []
          : prepareEntries(records, batch[0]!.source, this.clock.now(), this.newId, false);
    }
    let plan = planned;
    const applies =
      plan !== undefined &&
      plan.signer === this.signer &&
      plan.base.size === head.size &&
      bytesEqual(plan.base.rootHash, head.rootHash);
    if (!applies) {
      const frontier = await this.frontierFor(tx, head);
      const known = await this.knownIds(tx, batch);
      plan = this.plan(
        batch,
        {
          frontier,
          rootHash: frontier.root(),
          lastReceivedAtMs: head.lastReceivedAtMs,
          note: head.checkpoint.note,
        },
        known,
        nowMs,
      );
    }
    // State written by `within` must not commit without every one of its events.
    if (within && plan!.refused.length > 0) throw plan!.refused[0]!.error;
    if (plan!.checkpoint) {
      await tx.insert({ entries: plan!.entries, nodes: plan!.nodes, checkpoint: plan!.checkpoint });
    }
    // Set before the lock is released, so the next batch in line sees it.
    this.settle(plan!);
    // Planned here (a batch with work inside the lock, the first one, or a plan that no
    // longer applied) and no batch handed over behind it: its result is where the next batch
    // starts, so the next one may be planned on it while this one commits. Without this,
    // under steady load every batch after one planned in the lock was planned in the lock
    // too (the tip came back only when nothing was in flight), and planning no longer
    // overlapped the commit ahead.
    if (applies) this.planned.onTip++;
    else this.planned.inLock++;
    const published = !applies && ticket === this.handedOver;
    if (published) this.tip = this.settledTip;
    return { plan: plan!, replanned: !applies, published };
  }

  /**
   * Inside the append lock: is our key still the log's key? The head checkpoint is signed
   * first by the current key (a rotation signs its handover with the new key first), so one
   * comparison, without I/O, answers it for every batch. If another process rotated the key,
   * sign with the new one from now on, or, when this process does not hold it, sign nothing
   * (fail closed): a retired key must never sign a tree past its handover.
   */
  private async followKeyRotation(tx: AppendTransaction, head: LogHead): Promise<void> {
    const first = firstSignatureKeyId(head.checkpoint.note);
    if (first && bytesEqual(first, this.signer.keyId)) return;
    const current = await tx.getMeta(META_VERIFIER_KEY);
    if (current === undefined || current === formatVerifierKey(this.origin, this.signer.publicKey))
      return;
    const signer = this.options.signerFor?.(current);
    if (!signer || formatVerifierKey(signer.name, signer.publicKey) !== current) {
      throw new AppError(
        'signing_key_missing',
        `the log's signing key was rotated to ${current.split('+')[1]}, which this server does not hold: it signs nothing until its operator installs the current log.key (docs/operations.md, "Rotating the log key")`,
      );
    }
    this.signer = signer;
  }

  /** Stages every request of the batch on `base` and works out rows, nodes and checkpoint. */
  private plan(batch: Pending[], base: Tip, known: Map<string, KnownId>, nowMs: number): Plan {
    // Server time never runs backwards along the log (a clock step, another process).
    const floor = { receivedAtMs: base.lastReceivedAtMs };
    const staged: Staged[] = [];
    const refused: { pending: Pending; error: unknown }[] = [];
    for (const pending of batch) {
      try {
        staged.push(this.stage(pending, floor, known));
      } catch (error) {
        refused.push({ pending, error });
      }
    }
    const next = base.frontier.clone();
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
    let checkpoint: StoredCheckpoint | undefined;
    let note = base.note;
    let nextRootHash = base.rootHash;
    if (entries.length > 0) {
      const rootHash = next.root();
      nextRootHash = rootHash;
      note = signCheckpoint(
        { origin: this.origin, size: next.size, rootHash, extensions: [] },
        this.signer,
      );
      checkpoint = { size: next.size, rootHash, note, createdAtMs: nowMs };
    }
    return {
      base: { size: base.frontier.size, rootHash: base.rootHash, note: base.note },
      next,
      nextRootHash,
      lastReceivedAtMs: floor.receivedAtMs,
      entries,
      nodes,
      checkpoint,
      note,
      signer: this.signer,
      staged,
      refused,
    };
  }

  /**
   * Hands what was just committed to in-process listeners, in seq order (the monitor's rule
   * engine evaluates these objects instead of reading and parsing them back). Returns the
   * function that stops listening.
   */
  onCommitted(listener: CommitListener): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  private tellCommitted(plan: Plan): void {
    if (this.commitListeners.size === 0 || plan.entries.length === 0) return;
    // The inserted rows themselves, in seq order: nothing is copied per entry.
    for (const listener of this.commitListeners) {
      try {
        listener(plan.entries);
      } catch {
        // A listener's failure is its own: the append has succeeded and was answered.
      }
    }
  }

  private answer(plan: Plan): void {
    const treeSize = plan.next.size;
    for (const s of plan.staged) {
      // An id repeated within the batch points at its first occurrence.
      const entries = s.results.map((r) => ({
        id: r.id,
        seq: r.ref.seq,
        leafHash: r.ref.leafHash,
        duplicate: r.duplicate,
      }));
      s.pending.resolve({ entries, checkpoint: plan.note, treeSize });
    }
    for (const r of plan.refused) r.pending.reject(r.error);
  }

  private takeBatch(): Pending[] {
    if (this.queuedPriority > 0) return this.takePriority();
    const batch: Pending[] = [];
    let events = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.within) {
        if (batch.length > 0) break;
        this.queue.shift();
        return [next];
      }
      if (batch.length > 0 && events + next.records.length > this.maxBatchEvents) break;
      batch.push(next);
      events += next.records.length;
      this.queue.shift();
    }
    return batch;
  }

  /**
   * The queued priority requests, as a group of their own: a read's self-audit waits for the
   * commit on the writer, then for its own small one, never for the ingest queued before it.
   */
  private takePriority(): Pending[] {
    const batch: Pending[] = [];
    let kept = 0;
    for (const p of this.queue) {
      if (p.priority && batch.length < MAX_PRIORITY_BATCH) batch.push(p);
      else this.queue[kept++] = p;
    }
    this.queue.length = kept;
    this.queuedPriority -= batch.length;
    return batch;
  }

  private async frontierFor(tx: AppendTransaction, head: LogHead): Promise<MerkleFrontier> {
    if (this.frontier && this.frontier.size === head.size) return this.frontier;
    // Another writer appended (or we just started): rebuild from the committed nodes.
    this.frontier = await loadFrontier(tx, head);
    return this.frontier;
  }

  /** Client ids already in a planned batch (checked first) or committed in the store. */
  private async knownBeforeLock(batch: Pending[]): Promise<Map<string, KnownId>> {
    const known = new Map<string, KnownId>();
    const lookup: string[] = [];
    for (const p of batch) {
      for (const r of p.records) {
        if (!r.clientId) continue;
        const pending = this.pendingIds.get(r.entry.id);
        if (pending) known.set(r.entry.id, pending);
        else lookup.push(r.entry.id);
      }
    }
    if (lookup.length > 0) addStored(known, await this.store.entriesByIds(lookup));
    return known;
  }

  private async knownIds(tx: AppendTransaction, batch: Pending[]): Promise<Map<string, KnownId>> {
    const ids: string[] = [];
    for (const p of batch) for (const r of p.records) if (r.clientId) ids.push(r.entry.id);
    const known = new Map<string, KnownId>();
    if (ids.length > 0) addStored(known, await tx.entriesByIds(ids));
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
        const id = prepared.entry.id;
        const previous = known.get(id);
        if (previous) {
          if (!sameEvent(previous, prepared, pending.source))
            throw idConflict(id, previous, pending.source);
          staged.results.push({ id, ref: previous, duplicate: true });
          continue;
        }
        const fresh =
          prepared.entry.receivedAtMs < floor.receivedAtMs
            ? withReceivedAt(prepared, floor.receivedAtMs)
            : prepared;
        const { entry } = fresh;
        floor.receivedAtMs = entry.receivedAtMs;
        const ref: KnownId = {
          source: pending.source,
          receivedAt: fresh.receivedAt,
          record: entry.record,
          seq: -1,
          leafHash: entry.leafHash,
        };
        known.set(id, ref);
        added.push(id);
        staged.results.push({ id, ref, duplicate: false });
        // The prepared row itself: a plan made again (it no longer applied) sets its seq anew.
        staged.fresh.push({ entry, ref });
      }
    } catch (error) {
      for (const id of added) known.delete(id);
      floor.receivedAtMs = floorBefore;
      throw error;
    }
    return staged;
  }
}

function addStored(known: Map<string, KnownId>, stored: Map<string, StoredEntry>): void {
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
}

/** A retry carries the same event: same source, same record apart from the server's received_at. */
/**
 * A reused id. Another source's event stays out of the answer — not its seq, not that its
 * content differs — so an ingest key learns nothing about sources it cannot read.
 */
function idConflict(id: string, previous: KnownId, source: string): AppError {
  if (previous.source !== source) {
    return new AppError(
      'event_id_conflict',
      `event id ${id} is already taken; use a new id for a new event`,
    );
  }
  const where = previous.seq >= 0 ? ` (seq ${previous.seq})` : '';
  return new AppError(
    'event_id_conflict',
    `event id ${id} is already stored with different content${where}; use a new id for a new event`,
  );
}

function sameEvent(previous: KnownId, prepared: PreparedEntry, source: string): boolean {
  if (previous.source !== source) return false;
  if (previous.receivedAt === prepared.receivedAt) return previous.record === prepared.entry.record;
  return previous.record === textWithReceivedAt(prepared, previous.receivedAt);
}
