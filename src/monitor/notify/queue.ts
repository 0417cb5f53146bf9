import { StateCollection, type Versioned } from '../../store/state-collection.js';
import type { Store } from '../../store/store.js';
import type { IdGenerator } from '../../util/ids.js';
import type { AttemptResult } from './attempt.js';
import { retryDelayMs } from './backoff.js';
import type { NotificationMessage } from './message.js';
import type { DeliverySettings } from './settings.js';

/**
 * The durable delivery queue, in state documents so every server process sharing a
 * database shares it. A delivery lives under one kind at a time: queued (waiting or being
 * sent), delivered, or dead (a dead letter, until replayed). Moving between kinds is two
 * writes, so the queued document first records its outcome (the commit point) and whoever
 * next sees it finishes the move.
 */
export const QUEUE_KIND = 'notify_queue';
export const DELIVERED_KIND = 'notify_delivered';
export const DEAD_KIND = 'notify_dead';

export type DeliveryStatus = 'queued' | 'delivered' | 'dead';
export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'delivered', 'dead'];

/** Attempts kept on a delivery for diagnosis (the count is kept in `attempts`). */
const HISTORY_LIMIT = 10;

export interface AttemptRecord extends AttemptResult {
  atMs: number;
}

export interface Delivery {
  id: string;
  channelId: string;
  message: NotificationMessage;
  createdAtMs: number;
  /** Attempts started; counted when claimed, so a crash mid-send still counts. */
  attempts: number;
  nextAttemptAtMs: number;
  /** Who is sending it now, and until when the claim holds (then anyone may retry). */
  lease?: { owner: string; untilMs: number };
  history: AttemptRecord[];
  outcome?: 'delivered' | 'dead';
  finishedAtMs?: number;
  /** How often an operator replayed it from the dead letters. */
  replays: number;
}

export class DeliveryQueue {
  private readonly kinds: Record<DeliveryStatus, StateCollection<Delivery>>;

  constructor(
    store: Store,
    private readonly ids: IdGenerator,
  ) {
    this.kinds = {
      queued: new StateCollection(store, QUEUE_KIND),
      delivered: new StateCollection(store, DELIVERED_KIND),
      dead: new StateCollection(store, DEAD_KIND),
    };
  }

  /** One state write: nothing here waits for a receiver. */
  async enqueue(channelId: string, message: NotificationMessage, atMs: number): Promise<string> {
    const id = this.ids(atMs);
    const delivery: Delivery = {
      id,
      channelId,
      message,
      createdAtMs: atMs,
      attempts: 0,
      nextAttemptAtMs: atMs,
      history: [],
      replays: 0,
    };
    if (!(await this.kinds.queued.create(id, delivery, atMs))) {
      throw new Error(`delivery id ${id} is taken; the id generator repeated itself`);
    }
    return id;
  }

  /** Queued deliveries in id (creation) order, page by page. */
  queuedPage(after: string | undefined, limit: number): Promise<Versioned<Delivery>[]> {
    return this.kinds.queued.list({ limit, ...(after !== undefined ? { after } : {}) });
  }

  /** Newest first, for the API. */
  list(
    status: DeliveryStatus,
    options: { before?: string; limit: number },
  ): Promise<Versioned<Delivery>[]> {
    return this.kinds[status].list({
      limit: options.limit,
      reverse: true,
      ...(options.before !== undefined ? { after: options.before } : {}),
    });
  }

  get(status: DeliveryStatus, id: string): Promise<Versioned<Delivery> | undefined> {
    return this.kinds[status].get(id);
  }

  /**
   * Compare-and-set claim: of several processes reading the same version, one wins, so a
   * delivery is sent once per attempt. Returns the claimed document, or undefined.
   */
  async claim(
    doc: Versioned<Delivery>,
    owner: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<Versioned<Delivery> | undefined> {
    const value: Delivery = {
      ...doc.value,
      attempts: doc.value.attempts + 1,
      lease: { owner, untilMs: nowMs + leaseMs },
    };
    const ok = await this.kinds.queued.replace(doc.id, value, doc.version, nowMs);
    return ok ? { id: doc.id, value, version: doc.version + 1, updatedAtMs: nowMs } : undefined;
  }

  /**
   * Records an attempt's result on a claimed delivery, then moves it if it is finished.
   * False when the claim was lost (the lease ran out and someone else took it over).
   */
  async recordAttempt(
    claimed: Versioned<Delivery>,
    result: AttemptResult,
    nowMs: number,
    delivery: DeliverySettings,
    random: () => number,
  ): Promise<boolean> {
    const next = afterAttempt(claimed.value, result, nowMs, delivery, random);
    if (!(await this.kinds.queued.replace(claimed.id, next, claimed.version, nowMs))) return false;
    if (next.outcome !== undefined) {
      await this.finish({ ...claimed, value: next, version: claimed.version + 1 });
    }
    return true;
  }

  /** Ends a queued delivery without an attempt (its channel was removed). */
  async abandon(doc: Versioned<Delivery>, reason: string, nowMs: number): Promise<boolean> {
    const next: Delivery = {
      ...withoutLease(doc.value),
      history: keep([
        ...doc.value.history,
        { atMs: nowMs, ok: false, error: reason, durationMs: 0 },
      ]),
      outcome: 'dead',
      finishedAtMs: nowMs,
    };
    if (!(await this.kinds.queued.replace(doc.id, next, doc.version, nowMs))) return false;
    await this.finish({ ...doc, value: next, version: doc.version + 1 });
    return true;
  }

  /** Completes the move of a queued document whose outcome is recorded (idempotent). */
  async finish(doc: Versioned<Delivery>): Promise<void> {
    const outcome = doc.value.outcome;
    if (outcome === undefined) return;
    // Create first: if we stop between the writes, the queued copy still says where it goes.
    await this.kinds[outcome].create(doc.id, doc.value, doc.value.finishedAtMs ?? doc.updatedAtMs);
    await this.kinds.queued.delete(doc.id, doc.version);
  }

  /**
   * Puts a dead letter back in the queue for a fresh set of attempts. Returns the queued
   * delivery, or undefined when there is no such dead letter.
   */
  async replay(id: string, nowMs: number): Promise<Delivery | undefined> {
    const dead = await this.kinds.dead.get(id);
    if (!dead) return undefined;
    const { outcome: _o, finishedAtMs: _f, ...rest } = withoutLease(dead.value);
    const queued: Delivery = {
      ...rest,
      attempts: 0,
      nextAttemptAtMs: nowMs,
      replays: dead.value.replays + 1,
    };
    // A replay that stopped halfway left the queued copy: creating it again is a no-op.
    await this.kinds.queued.create(id, queued, nowMs);
    if (!(await this.kinds.dead.delete(id, dead.version))) return undefined;
    return queued;
  }
}

function withoutLease(delivery: Delivery): Delivery {
  const { lease: _lease, ...rest } = delivery;
  return rest;
}

function keep(history: AttemptRecord[]): AttemptRecord[] {
  return history.slice(-HISTORY_LIMIT);
}

/** Pure: the delivery after an attempt: delivered, dead, or waiting for its next try. */
export function afterAttempt(
  delivery: Delivery,
  result: AttemptResult,
  nowMs: number,
  settings: DeliverySettings,
  random: () => number,
): Delivery {
  const base: Delivery = {
    ...withoutLease(delivery),
    history: keep([...delivery.history, { atMs: nowMs, ...result }]),
  };
  if (result.ok) return { ...base, outcome: 'delivered', finishedAtMs: nowMs };
  if (delivery.attempts >= settings.maxAttempts) {
    return { ...base, outcome: 'dead', finishedAtMs: nowMs };
  }
  const wait = retryDelayMs(delivery.attempts, settings, random, result.retryAfterMs);
  return { ...base, nextAttemptAtMs: nowMs + wait };
}
