/** Sends a batch of events to the log; resolves once the log has made them durable. */
export type PostEvents = (events: readonly object[]) => Promise<void>;

export interface AuditQueueOptions {
  post: PostEvents;
  /** Events held at most; when full, `enqueue` makes the caller wait (nothing is dropped). */
  capacity: number;
  /** Events per request. */
  maxBatch: number;
  /** Called when a batch fails and will be retried. */
  onRetry?: (error: unknown, attempt: number) => void;
  /** Injected for tests; grows to at most 5 s between attempts. */
  sleep?: (ms: number) => Promise<void>;
}

interface Waiting {
  event: object;
  /** Set for fail_closed appends: resolved when the event is durable. */
  durable?: () => void;
}

/**
 * The gateway's bounded, ordered path into the log. One sender posts batches in arrival
 * order and retries a failed batch until it succeeds: every event carries its id, so a
 * retried batch is stored once. A full queue pushes back on the client instead of dropping.
 */
export class AuditQueue {
  private readonly queue: Waiting[] = [];
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];
  private sending = false;

  constructor(private readonly options: AuditQueueOptions) {}

  get length(): number {
    return this.queue.length;
  }

  /** observe mode: undefined when queued at once, else a promise that settles when there was room. */
  enqueue(event: object): Promise<void> | undefined {
    if (this.queue.length < this.options.capacity) {
      this.push({ event });
      return undefined;
    }
    return new Promise<void>((resolve) => this.roomWaiters.push(resolve)).then(() =>
      this.enqueue(event),
    );
  }

  /** fail_closed mode: settles once the event is durable in the log. */
  async appendDurable(event: object): Promise<void> {
    while (this.queue.length >= this.options.capacity)
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    await new Promise<void>((resolve) => this.push({ event, durable: resolve }));
  }

  /** Settles when every event queued so far is durable. */
  drained(): Promise<void> {
    if (this.queue.length === 0 && !this.sending) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private push(w: Waiting): void {
    this.queue.push(w);
    if (this.sending) return;
    // Start on the next tick, so the events of one burst of messages go in one request.
    this.sending = true;
    setImmediate(() => void this.send());
  }

  private async send(): Promise<void> {
    const sleep = this.options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.maxBatch);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.options.post(batch.map((w) => w.event));
          break;
        } catch (error) {
          this.options.onRetry?.(error, attempt);
          await sleep(Math.min(5000, 50 * 2 ** attempt));
        }
      }
      this.queue.splice(0, batch.length);
      for (const w of batch) w.durable?.();
      for (const wake of this.roomWaiters.splice(0, batch.length)) wake();
    }
    this.sending = false;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
