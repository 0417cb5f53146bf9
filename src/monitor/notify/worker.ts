import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../../util/clock.js';
import type { AttemptResult } from './attempt.js';
import type { DeliveryQueue, StoredDelivery } from './queue.js';
import { type Sender, sendToChannel } from './send.js';
import type { NotificationSettings } from './settings.js';

/** A claim outlives the attempt's timeout by this much before another process may retry. */
export const LEASE_MARGIN_MS = 30_000;
const PAGE_SIZE = 200;
/** Bounds one pass over a large backlog; the rest waits for the next pass. */
const MAX_PAGES_PER_PASS = 50;

export interface WorkerOptions {
  queue: DeliveryQueue;
  settings: () => Promise<NotificationSettings>;
  clock: Clock;
  /** In [0, 1): the back-off jitter. */
  random?: () => number;
  /** This process's name on claims (host, pid, random). */
  owner?: string;
  /** Attempts in flight per channel: a hanging receiver holds only its own channel's slots. */
  channelConcurrency?: number;
  send?: Sender;
  onError?: (error: unknown) => void;
}

export interface Pass {
  /** Deliveries this pass claimed and started sending. */
  started: string[];
  /** Resolves when every attempt this pass started is recorded. */
  settled: Promise<void>;
  /** The earliest retry time seen among deliveries not yet due. */
  nextDueAtMs: number | undefined;
}

export function defaultOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Sends queued deliveries. A pass claims what is due and starts sending without awaiting
 * it, so one slow receiver never holds back the next pass or another channel.
 */
export class DeliveryWorker {
  private readonly inFlight = new Map<string, number>();
  private readonly pending = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly owner: string;
  private readonly random: () => number;
  private readonly send: Sender;
  private readonly channelConcurrency: number;

  constructor(private readonly options: WorkerOptions) {
    this.owner = options.owner ?? defaultOwner();
    this.random = options.random ?? Math.random;
    this.send = options.send ?? sendToChannel;
    this.channelConcurrency = options.channelConcurrency ?? 4;
  }

  async runOnce(): Promise<Pass> {
    const { queue, clock } = this.options;
    const settings = await this.options.settings();
    const channels = new Map(settings.channels.map((c) => [c.id, c]));
    // A delivery for a channel this pass does not know may come from settings saved since
    // the pass began: look again once before calling the channel gone.
    let fresh: Set<string> | undefined;
    const gone = async (channelId: string) => {
      fresh ??= new Set((await this.options.settings()).channels.map((c) => c.id));
      return !fresh.has(channelId);
    };
    const started: string[] = [];
    const attempts: Promise<void>[] = [];
    let after: StoredDelivery | undefined;
    for (let page = 0; page < MAX_PAGES_PER_PASS && !this.abort.signal.aborted; page++) {
      // Only what is due and not held by a live claim: the index answers, not this loop.
      const docs = await queue.duePage(clock.now(), after, PAGE_SIZE);
      for (const doc of docs) {
        const d = doc.value;
        const now = clock.now();
        const channel = channels.get(d.channelId);
        if (!channel) {
          if (await gone(d.channelId)) {
            await queue.abandon(doc, `channel "${d.channelId}" no longer exists`, now);
          }
          continue;
        }
        if (!channel.enabled) continue; // paused: waits until the channel is enabled again
        if ((this.inFlight.get(channel.id) ?? 0) >= this.channelConcurrency) continue;
        const leaseMs = settings.delivery.timeoutMs + LEASE_MARGIN_MS;
        const claimed = await queue.claim(doc, this.owner, now, leaseMs);
        if (!claimed) continue; // another process took it
        started.push(claimed.id);
        attempts.push(this.attempt(claimed, settings));
      }
      if (docs.length < PAGE_SIZE) break;
      after = docs[docs.length - 1];
    }
    const nextDueAtMs = await queue.nextAttemptAfter(clock.now());
    return { started, settled: Promise.all(attempts).then(() => undefined), nextDueAtMs };
  }

  /** Aborts attempts in flight (recorded as failures, retried later) and waits for them. */
  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.all([...this.pending]);
  }

  /** Attempts still in flight. */
  get busy(): number {
    return this.pending.size;
  }

  private attempt(claimed: StoredDelivery, settings: NotificationSettings): Promise<void> {
    const channelId = claimed.value.channelId;
    const channel = settings.channels.find((c) => c.id === channelId)!;
    this.inFlight.set(channelId, (this.inFlight.get(channelId) ?? 0) + 1);
    const run = (async () => {
      let result: AttemptResult;
      try {
        result = await this.send(channel, claimed.value, {
          nowMs: this.options.clock.now(),
          timeoutMs: settings.delivery.timeoutMs,
          signal: this.abort.signal,
          allowInternal: settings.allowInternal,
        });
      } catch (error) {
        // Senders report failures as results; a throw is a bug, but still a failed attempt.
        result = { ok: false, error: String(error), durationMs: 0 };
      }
      await this.options.queue.recordAttempt(
        claimed,
        result,
        this.options.clock.now(),
        settings.delivery,
        this.random,
      );
    })()
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => {
        this.inFlight.set(channelId, (this.inFlight.get(channelId) ?? 1) - 1);
        this.pending.delete(run);
      });
    this.pending.add(run);
    return run;
  }
}
