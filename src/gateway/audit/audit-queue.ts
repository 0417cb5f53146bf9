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
   * bodies over 10 MiB, and a refused batch would be retried for ever.
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
}

interface Waiting {
  event: object;
  line: string;
  bytes: number;
  /** Set for fail_closed appends: resolved when the event is durable. */
  durable?: () => void;
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
 * on the client instead of dropping.
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
  };

  /** Events held at most; a reload may change it (waiting callers are let in as room frees). */
  capacity: number;

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
    const sleep = this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.inFlight++;
    this.counts.mostInFlight = Math.max(this.counts.mostInFlight, this.inFlight);
    while (lane.queue.length > 0) {
      const batch = this.nextBatch(lane.queue);
      const events = batch.map((w) => w.event);
      const ndjson = batch.map((w) => w.line).join('\n');
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.post(events, ndjson);
          break;
        } catch (error) {
          this.options.onRetry?.(error, attempt);
          await sleep(Math.min(5000, 50 * 2 ** attempt));
        }
      }
      lane.queue.splice(0, batch.length);
      this.held -= batch.length;
      this.counts.requests++;
      this.counts.events += batch.length;
      this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.length);
      for (const w of batch) w.durable?.();
      for (const wake of this.roomWaiters.splice(0, batch.length)) wake();
    }
    lane.sending = false;
    this.inFlight--;
    if (this.held === 0 && this.inFlight === 0)
      for (const wake of this.idleWaiters.splice(0)) wake();
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
