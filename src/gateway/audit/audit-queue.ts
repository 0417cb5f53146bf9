/**
 * Sends a batch of events to the log; resolves once the log has made them durable. `ndjson`
 * is the same batch serialised, one event per line (each event is serialised once, when
 * queued, to size the batch).
 */
export type PostEvents = (events: readonly object[], ndjson: string) => Promise<void>;

export interface AuditQueueOptions {
  post: PostEvents;
  /** Events held at most (all lanes); when full, `enqueue` makes the caller wait. */
  capacity: number;
  /** Events per request at most. */
  maxBatch: number;
  /**
   * NDJSON bytes per request at most (one event alone may exceed it). The server refuses
   * bodies over 10 MiB; a refused batch would be halved until it fits, costing requests.
   */
  maxBatchBytes?: number;
  /**
   * Requests in flight at once: one per lane. A session's events always take the same
   * lane, so each session's events reach the log in order while sessions do not wait on
   * each other's requests, and the log's group commit gets several requests to share.
   */
  lanes?: number;
  /** Called when a batch fails and will be retried. */
  onRetry?: (error: unknown, attempt: number) => void;
  /**
   * The event to store instead of one the log refused on its own (400, 413 or 422 for a
   * one-event batch): small and plain, recording the refusal, so the rest of the batch is
   * stored and the refused statement still leaves a trace. Without it (or when the log
   * refuses the replacement too) the queue holds the event and reports itself refused.
   */
  replaceRefused?: (event: object, line: string, error: LogRefusal) => object;
  /**
   * Called on each failed attempt while the log refuses the gateway itself (401, 403 and
   * other 4xx that no split of the batch can cure): `refusal` is set until a post succeeds.
   */
  onRefused?: (error: LogRefusal, attempt: number) => void;
  /** Injected for tests; grows to at most 5 s between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

/** What the queue has sent so far (printed when the gateway stops; the benchmark reads it). */
export interface AuditQueueStats {
  requests: number;
  events: number;
  largestBatch: number;
  /** The most requests that were in flight at the same moment. */
  mostInFlight: number;
  /** Events the log refused on their own, stored as a stand-in recording the refusal. */
  replaced: number;
}

interface Waiting {
  event: object;
  line: string;
  bytes: number;
  /** Set for fail_closed appends: resolved when the event is durable. */
  durable?: () => void;
  /** This is already the stand-in for a refused event: never replaced again. */
  replacement?: true;
}

/** A 4xx answer of the log: its status and what it said. */
export interface LogRefusal {
  status: number;
  message: string;
}

/**
 * Statuses that say something in the batch is wrong (RFC 9110 §15.5.1 400, §15.5.14 413,
 * §15.5.21 422; the log's ingest is all-or-nothing, docs/api.md): halving the batch finds
 * the event(s) at fault and lets the others through.
 */
const BATCH_FAULTS = new Set([400, 413, 422]);

/**
 * Client errors that are transient by definition (408 Request Timeout, 429 Too Many
 * Requests): retried like a network failure. Any other 4xx refuses the gateway itself.
 */
const TRANSIENT_4XX = new Set([408, 429]);

/** The log's 4xx as a LogRefusal, or undefined for anything worth retrying as is. */
export function logRefusalOf(error: unknown): LogRefusal | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  if (typeof status !== 'number' || status < 400 || status > 499 || TRANSIENT_4XX.has(status))
    return undefined;
  return { status, message: (error as Error).message ?? String(error) };
}

interface Lane {
  queue: Waiting[];
  sending: boolean;
}

export const DEFAULT_LANES = 4;
export const DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024;

/**
 * The gateway's bounded, ordered path into the log. Each lane posts its events in arrival
 * order, as many as are waiting per request, and retries a failed batch until it succeeds:
 * every event carries its id, so a retried batch is stored once. A full queue pushes back
 * on the client instead of dropping. Nothing is dropped on a 4xx either: a batch the log
 * finds fault with is halved down to the refused event, which is replaced by a stand-in
 * recording the refusal; a refusal of the gateway itself (401, 403, …) is retried while
 * `refusal` tells sessions to admit no statements.
 */
export class AuditQueue {
  private readonly lanes: Lane[];
  private readonly maxBatchBytes: number;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private held = 0;
  private inFlight = 0;
  private readonly counts: AuditQueueStats = {
    requests: 0,
    events: 0,
    largestBatch: 0,
    mostInFlight: 0,
    replaced: 0,
  };

  /** Events held at most; a reload may change it (waiting callers are let in as room frees). */
  capacity: number;

  /**
   * Set while the log refuses the gateway's requests (a revoked ingest key, a source it may
   * not write): sessions admit no new statements meanwhile, since none could be recorded.
   * The held events are retried until the log takes them; cleared when one post succeeds.
   */
  refusal: LogRefusal | undefined;

  constructor(private readonly options: AuditQueueOptions) {
    this.capacity = options.capacity;
    const lanes = Math.max(1, options.lanes ?? DEFAULT_LANES);
    this.lanes = Array.from({ length: lanes }, () => ({ queue: [], sending: false }));
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
  }

  get length(): number {
    return this.held;
  }

  stats(): AuditQueueStats {
    return { ...this.counts };
  }

  /**
   * observe mode: undefined when queued at once, else a promise that settles when there was
   * room. `order` names the sequence the event belongs to (the session): events with the
   * same `order` reach the log in the order they were queued.
   */
  enqueue(event: object, order = ''): Promise<void> | undefined {
    if (this.held < this.capacity) {
      this.push(order, event);
      return undefined;
    }
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve)).then(() =>
      this.enqueue(event, order),
    );
  }

  /** fail_closed mode: settles once the event is durable in the log. */
  async appendDurable(event: object, order = ''): Promise<void> {
    while (this.held >= this.capacity)
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    await new Promise<void>((resolve) => this.push(order, event, resolve));
  }

  /** Settles when every event queued so far is durable. */
  drained(): Promise<void> {
    if (this.held === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private push(order: string, event: object, durable?: () => void): void {
    const line = JSON.stringify(event);
    const w: Waiting = { event, line, bytes: Buffer.byteLength(line) + 1 };
    if (durable) w.durable = durable;
    const lane = this.lanes[laneOf(order, this.lanes.length)]!;
    lane.queue.push(w);
    this.held++;
    if (lane.sending) return;
    // Start on the next tick, so the events of one burst of messages go in one request.
    lane.sending = true;
    setImmediate(() => void this.send(lane));
  }

  private async send(lane: Lane): Promise<void> {
    this.inFlight++;
    this.counts.mostInFlight = Math.max(this.counts.mostInFlight, this.inFlight);
    while (lane.queue.length > 0) {
      const batch = this.nextBatch(lane.queue);
      await this.deliver(batch);
      lane.queue.splice(0, batch.length);
      this.held -= batch.length;
      this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.length);
      for (const w of batch) w.durable?.();
      for (const wake of this.roomWaiters.splice(0, batch.length)) wake();
    }
    lane.sending = false;
    this.inFlight--;
    if (this.held === 0 && this.inFlight === 0)
      for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * Settles once the log stored every event of `batch`, in order, or a stand-in for one it
   * refused on its own. Failures are retried; a batch the log calls faulty is halved until
   * the fault is one event (log2 of the batch extra requests per refused event).
   */
  private async deliver(batch: readonly Waiting[]): Promise<void> {
    const sleep = this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    let sending = batch;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.options.post(
          sending.map((w) => w.event),
          sending.map((w) => w.line).join('\n'),
        );
        this.refusal = undefined;
        this.counts.requests++;
        this.counts.events += sending.length;
        return;
      } catch (error) {
        const refusal = logRefusalOf(error);
        if (refusal && BATCH_FAULTS.has(refusal.status)) {
          if (sending.length > 1) {
            const half = Math.ceil(sending.length / 2);
            await this.deliver(sending.slice(0, half));
            await this.deliver(sending.slice(half));
            return;
          }
          const stand = this.standIn(sending[0]!, refusal);
          if (stand) {
            this.counts.replaced++;
            sending = [stand];
            attempt = 0;
            continue;
          }
        }
        if (refusal) {
          this.refusal = refusal;
          this.options.onRefused?.(refusal, attempt);
        } else this.options.onRetry?.(error, attempt);
        await sleep(Math.min(5000, 50 * 2 ** attempt));
      }
    }
  }

  /** The stand-in for an event the log refused on its own; undefined if there is none. */
  private standIn(w: Waiting, refusal: LogRefusal): Waiting | undefined {
    if (w.replacement || !this.options.replaceRefused) return undefined;
    const event = this.options.replaceRefused(w.event, w.line, refusal);
    const line = JSON.stringify(event);
    return { event, line, bytes: Buffer.byteLength(line) + 1, replacement: true };
  }

  /** As many waiting events as one request may carry. */
  private nextBatch(queue: readonly Waiting[]): Waiting[] {
    let n = 0;
    let bytes = 0;
    while (n < queue.length && n < this.options.maxBatch) {
      const next = queue[n]!.bytes;
      if (n > 0 && bytes + next > this.maxBatchBytes) break;
      bytes += next;
      n++;
    }
    return queue.slice(0, n);
  }
}

/** FNV-1a over the order key: a stable lane per session. */
function laneOf(order: string, lanes: number): number {
  if (lanes === 1) return 0;
  let h = 0x811c9dc5;
  for (let i = 0; i < order.length; i++) h = Math.imul(h ^ order.charCodeAt(i), 0x01000193);
  return (h >>> 0) % lanes;
}
