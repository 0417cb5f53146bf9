/**
 * EvidentClient: queue audit events in the application, send them in batches, retry with the
 * same ids (the server stores an id once, so a retry never duplicates), hand back for each
 * event the signed checkpoint that covers it, and verify it.
 */
import { EvidentClientError } from './errors.js';
import { type IdGenerator, ulidGenerator } from './ids.js';
import { type AuditEvent, buildRecord, type OutgoingRecord } from './record.js';
import { Spool } from './spool.js';
import {
  type AppendAnswer,
  backoffMs,
  type FetchLike,
  isRetryable,
  sendBatch,
} from './transport.js';
import {
  openCheckpoint,
  parseVerifierKey,
  rootFromInclusionProof,
  type VerifierKey,
} from './verify.js';

export interface ClientOptions {
  /** The server, e.g. `https://evident.example.com`. */
  url: string;
  /** An ingest key; the server binds every event to its source. */
  key: string;
  /** Events per request (default 100, at most 10,000). */
  batchSize?: number;
  /** How long a partial batch waits for company before it is sent (default 200 ms). */
  flushIntervalMs?: number;
  /** Events queued or in flight at most (default 10,000). */
  maxQueue?: number;
  /** When the queue is full: `wait` (default) makes `log()` wait for room; `reject` throws queue_full. */
  whenFull?: 'wait' | 'reject';
  /** A file that keeps queued events across a crash of the application (fsync per batch). */
  spoolPath?: string;
  /** Ask the server for an inclusion proof per event, so `verify()` can check it (default true). */
  proofs?: boolean;
  /** The log's verifier key (`name+id+key`), pinned; otherwise fetched from the server once. */
  verifierKey?: string;
  /** Retry backoff (default 100 ms doubling up to 10 s, with jitter). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per request (default 30 s). */
  requestTimeoutMs?: number;
  /** Told about each event the server refused and each failed attempt that will be retried. */
  onError?: (error: EvidentClientError, ids: readonly string[]) => void;
  fetch?: FetchLike;
  now?: () => number;
  random?: () => number;
  newId?: IdGenerator;
}

/** What the log holds for an event once it is stored. */
export interface StoredEvent {
  id: string;
  seq: number;
  /** base64 SHA-256 leaf hash. */
  leafHash: string;
  /** The signed C2SP checkpoint whose tree contains the event. */
  checkpoint: string;
  /** RFC 9162 inclusion proof (base64 hashes) of seq in the checkpoint's tree. */
  inclusion?: string[];
}

export interface Receipt {
  id: string;
  /** Resolves once the event is durably stored; rejects if the server refuses it. */
  stored: Promise<StoredEvent>;
}

interface Item {
  record: OutgoingRecord;
  line: string;
  resolve: (stored: StoredEvent) => void;
  reject: (error: unknown) => void;
  stored: Promise<StoredEvent>;
}

export class EvidentClient {
  private readonly o: Required<
    Omit<ClientOptions, 'spoolPath' | 'verifierKey' | 'onError' | 'newId'>
  > &
    Pick<ClientOptions, 'onError'>;
  private readonly newId: IdGenerator;
  private readonly spool: Spool | undefined;
  private readonly queue: Item[] = [];
  /** Queued plus in flight; bounded by maxQueue. */
  private outstanding = new Set<Item>();
  private reserved = 0;
  private readonly roomWaiters: (() => void)[] = [];
  private sending = false;
  private timer: NodeJS.Timeout | undefined;
  private flushing = 0;
  private closed = false;
  private abort = new AbortController();
  private verifierKey: Promise<VerifierKey> | undefined;
  /** Events found in the spool at start, queued again. */
  readonly replayed: number;

  constructor(options: ClientOptions) {
    const batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
      throw new RangeError('batchSize must be an integer from 1 to 10000');
    }
    this.o = {
      url: options.url,
      key: options.key,
      batchSize,
      flushIntervalMs: options.flushIntervalMs ?? 200,
      maxQueue: Math.max(options.maxQueue ?? 10_000, batchSize),
      whenFull: options.whenFull ?? 'wait',
      proofs: options.proofs ?? true,
      retryBaseMs: options.retryBaseMs ?? 100,
      retryMaxMs: options.retryMaxMs ?? 10_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      onError: options.onError,
      fetch: options.fetch ?? ((url, init) => fetch(url, init)),
      now: options.now ?? Date.now,
      random: options.random ?? Math.random,
    };
    this.newId = options.newId ?? ulidGenerator();
    if (options.verifierKey)
      this.verifierKey = Promise.resolve(parseVerifierKey(options.verifierKey));
    this.spool = options.spoolPath ? Spool.open(options.spoolPath) : undefined;
    // Replayed events ignore the queue bound: they were admitted before the crash.
    for (const record of this.spool?.unsent ?? []) this.enqueue(record);
    this.replayed = this.spool?.unsent.length ?? 0;
    if (this.replayed > 0) this.schedule();
  }

  /**
   * Queues one event; resolves when it is queued (and, with a spool, on disk). The event
   * gets its id here, so every retry of it carries the same one.
   */
  async log(event: AuditEvent): Promise<Receipt> {
    if (this.closed) throw new EvidentClientError('closed', 'the client is closed');
    const record = buildRecord(event, this.newId(this.o.now()), this.o.now());
    while (this.outstanding.size + this.reserved >= this.o.maxQueue) {
      if (this.o.whenFull === 'reject') {
        throw new EvidentClientError('queue_full', `${this.o.maxQueue} events are already queued`);
      }
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
      if (this.closed) throw new EvidentClientError('closed', 'the client is closed');
    }
    this.reserved++;
    try {
      await this.spool?.add([record]);
    } finally {
      this.reserved--;
    }
    const item = this.enqueue(record);
    this.schedule();
    return { id: record.id, stored: item.stored };
  }

  /** Sends everything queued so far now; resolves when each of those events has settled. */
  async flush(): Promise<void> {
    const waiting = [...this.outstanding].map((i) => i.stored);
    this.flushing++;
    this.schedule();
    try {
      await Promise.allSettled(waiting);
    } finally {
      this.flushing--;
    }
  }

  /**
   * Stops accepting events and sends what is queued. After `timeoutMs` (default 10 s) the rest
   * is given up (rejected with `closed`); with a spool it is replayed on the next start.
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.roomWaiters.splice(0)) wake();
    const timeout = setTimeout(() => this.abort.abort(), options.timeoutMs ?? 10_000);
    try {
      await this.flush();
    } finally {
      clearTimeout(timeout);
      clearTimeout(this.timer);
      this.spool?.close();
    }
  }

  /**
   * Checks a stored event: its checkpoint is signed by the log's key, and its inclusion proof
   * leads from its leaf hash to that checkpoint's root. Returns the checkpoint's tree size.
   */
  async verify(stored: StoredEvent): Promise<{ treeSize: number; rootHash: string }> {
    if (!stored.inclusion) {
      throw new EvidentClientError(
        'no_proof',
        'no inclusion proof: create the client with proofs: true',
      );
    }
    const key = await this.logKey();
    const cp = openCheckpoint(stored.checkpoint, key);
    const root = rootFromInclusionProof(
      stored.seq,
      cp.size,
      Buffer.from(stored.leafHash, 'base64'),
      stored.inclusion.map((h) => Buffer.from(h, 'base64')),
    );
    if (!root.equals(cp.rootHash)) {
      throw new EvidentClientError(
        'proof_mismatch',
        `event ${stored.id} is not in the checkpoint's tree`,
      );
    }
    return { treeSize: cp.size, rootHash: cp.rootHash.toString('base64') };
  }

  private logKey(): Promise<VerifierKey> {
    this.verifierKey ??= (async () => {
      // Public and unauthenticated: trust on first use. Pin `verifierKey` for a real guarantee.
      const response = await this.o.fetch(`${this.o.url.replace(/\/+$/, '')}/api/v1/log/keys`, {});
      if (!response.ok) {
        throw new EvidentClientError(
          'unreachable',
          `GET /api/v1/log/keys answered ${response.status}`,
        );
      }
      return parseVerifierKey(((await response.json()) as { current: string }).current);
    })();
    const pending = this.verifierKey;
    pending.catch(() => {
      if (this.verifierKey === pending) this.verifierKey = undefined;
    });
    return pending;
  }

  private enqueue(record: OutgoingRecord): Item {
    let resolve!: Item['resolve'];
    let reject!: Item['reject'];
    const stored = new Promise<StoredEvent>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // Callers may ignore `stored`; a refusal is still reported through onError.
    stored.catch(() => {});
    const item: Item = { record, line: JSON.stringify(record), resolve, reject, stored };
    this.queue.push(item);
    this.outstanding.add(item);
    return item;
  }

  private schedule(): void {
    if (this.sending || this.queue.length === 0) return;
    if (this.queue.length >= this.o.batchSize || this.flushing > 0 || this.closed) {
      clearTimeout(this.timer);
      this.timer = undefined;
      void this.sendNext();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.sendNext();
      }, this.o.flushIntervalMs);
      this.timer.unref();
    }
  }

  private async sendNext(): Promise<void> {
    if (this.sending || this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.splice(0, this.o.batchSize);
    try {
      const answer = await this.sendWithRetry(batch);
      await this.settle(batch, answer);
    } catch (error) {
      await this.refuse(batch, error);
    } finally {
      this.sending = false;
    }
    this.schedule();
  }

  private async sendWithRetry(batch: Item[]): Promise<AppendAnswer> {
    const lines = batch.map((i) => i.line);
    const ids = batch.map((i) => i.record.id);
    for (let attempt = 0; ; attempt++) {
      try {
        return await sendBatch(lines, {
          url: this.o.url,
          key: this.o.key,
          fetch: this.o.fetch,
          proofs: this.o.proofs,
          timeoutMs: this.o.requestTimeoutMs,
        });
      } catch (error) {
        if (!isRetryable(error)) throw error;
        // close() gave up while this attempt was on its way: the caller hears `closed`, as
        // when it gave up during the wait before the next attempt.
        if (!this.abort.signal.aborted) {
          this.o.onError?.(error as EvidentClientError, ids);
          const wait = backoffMs(attempt, this.o.retryBaseMs, this.o.retryMaxMs, this.o.random);
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, wait);
            this.abort.signal.addEventListener('abort', () => {
              clearTimeout(t);
              resolve();
            });
          });
        }
        if (this.abort.signal.aborted) {
          throw new EvidentClientError('closed', 'closed before the server could be reached', {
            cause: error,
          });
        }
      }
    }
  }

  private async settle(batch: Item[], answer: AppendAnswer): Promise<void> {
    await this.spool?.done(batch.map((i) => i.record.id));
    batch.forEach((item, i) => {
      const e = answer.entries[i]!;
      item.resolve({
        id: e.id,
        seq: e.seq,
        leafHash: e.leaf_hash,
        checkpoint: answer.checkpoint,
        ...(e.inclusion ? { inclusion: e.inclusion } : {}),
      });
    });
    this.release(batch);
  }

  /**
   * A 4xx naming one event (`$[3]…`) refuses that event alone: it is settled (and leaves the
   * spool) and the rest go again. Any other failure fails the batch, which stays in the spool
   * to be replayed on the next start (a wrong key must not lose events).
   */
  private async refuse(batch: Item[], error: unknown): Promise<void> {
    const err =
      error instanceof EvidentClientError
        ? error
        : new EvidentClientError('server_error', String(error), { cause: error });
    const index = err.code === 'rejected' && err.path ? /^\$\[(\d+)\]/.exec(err.path) : null;
    const bad = index ? batch[Number(index[1])] : undefined;
    if (bad) {
      await this.spool?.done([bad.record.id]);
      this.o.onError?.(err, [bad.record.id]);
      bad.reject(err);
      this.release([bad]);
      this.queue.unshift(...batch.filter((i) => i !== bad));
      return;
    }
    this.o.onError?.(
      err,
      batch.map((i) => i.record.id),
    );
    for (const item of batch) item.reject(err);
    this.release(batch);
  }

  private release(items: Item[]): void {
    for (const item of items) this.outstanding.delete(item);
    for (const wake of this.roomWaiters.splice(0, items.length)) wake();
  }
}
