import { AppError } from '../../errors.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import { isUniqueViolation } from '../../store/sql/query-runner.js';
import type { Store } from '../../store/store.js';
import {
  deliveriesIn,
  deliveryById,
  dueDeliveries,
  insertDelivery,
  nextAttemptAfter,
  queuedAfter,
  replaceDelivery,
  type StoredDelivery,
} from '../../store/tables/notify/deliveries-table.js';
import type { IdGenerator } from '../../util/ids.js';
import type { AttemptResult } from './attempt.js';
import { retryDelayMs } from './backoff.js';
import type { NotificationMessage } from './message.js';
import type { DeliverySettings } from './settings.js';

export type { StoredDelivery } from '../../store/tables/notify/deliveries-table.js';

/**
 * The durable delivery queue, one row per delivery in the `deliveries` table, so every server
 * process sharing a database shares it. A delivery is queued (waiting or being sent),
 * delivered, or dead (a dead letter, until replayed); each change of it, a move between
 * states included, is one conditional UPDATE on its version.
 */
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
  private readonly q: QueryRunner;

  constructor(
    store: Pick<Store, 'state'>,
    private readonly ids: IdGenerator,
  ) {
    this.q = store.state;
  }

  /** One insert: nothing here waits for a receiver. */
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
    try {
      await insertDelivery(this.q, delivery, atMs);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      throw new Error(`delivery id ${id} is taken; the id generator repeated itself`);
    }
    return id;
  }

  /** Queued deliveries in id (creation) order, page by page. */
  queuedPage(after: string | undefined, limit: number): Promise<StoredDelivery[]> {
    return queuedAfter(this.q, after, limit);
  }

  /** Queued deliveries due now and not claimed, soonest first (the sending loop's read). */
  duePage(
    nowMs: number,
    after: StoredDelivery | undefined,
    limit: number,
  ): Promise<StoredDelivery[]> {
    const position = after && { atMs: after.value.nextAttemptAtMs, id: after.id };
    return dueDeliveries(this.q, nowMs, position, limit);
  }

  /** The earliest retry time among queued deliveries not yet due. */
  nextAttemptAfter(nowMs: number): Promise<number | undefined> {
    return nextAttemptAfter(this.q, nowMs);
  }

  /** Newest first, for the API. */
  list(
    status: DeliveryStatus,
    options: { before?: string; limit: number },
  ): Promise<StoredDelivery[]> {
    return deliveriesIn(this.q, status, options);
  }

  async get(status: DeliveryStatus, id: string): Promise<StoredDelivery | undefined> {
    const found = await deliveryById(this.q, id);
    return found?.status === status ? found : undefined;
  }

  /**
   * Claims a queued delivery with one conditional UPDATE on its version: of several
   * processes that read the same version, exactly one wins, so a delivery is sent once per
   * attempt. Returns the claimed delivery, or undefined.
   */
  async claim(
    doc: StoredDelivery,
    owner: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<StoredDelivery | undefined> {
    const value: Delivery = {
      ...doc.value,
      attempts: doc.value.attempts + 1,
      lease: { owner, untilMs: nowMs + leaseMs },
    };
    return this.write(doc, value, nowMs);
  }

  /**
   * Records an attempt's result on a claimed delivery, moving it to delivered or dead when it
   * is finished (the same single write). False when the claim was lost (the lease ran out
   * and someone else took it over).
   */
  async recordAttempt(
    claimed: StoredDelivery,
    result: AttemptResult,
    nowMs: number,
    delivery: DeliverySettings,
    random: () => number,
  ): Promise<boolean> {
    const next = afterAttempt(claimed.value, result, nowMs, delivery, random);
    return (await this.write(claimed, next, nowMs)) !== undefined;
  }

  /** Ends a queued delivery without an attempt (its channel was removed). */
  async abandon(doc: StoredDelivery, reason: string, nowMs: number): Promise<boolean> {
    const next: Delivery = {
      ...withoutLease(doc.value),
      history: keep([
        ...doc.value.history,
        { atMs: nowMs, ok: false, error: reason, durationMs: 0 },
      ]),
      outcome: 'dead',
      finishedAtMs: nowMs,
    };
    return (await this.write(doc, next, nowMs)) !== undefined;
  }

  /**
   * Puts a dead letter back in the queue for a fresh set of attempts. Returns the queued
   * delivery, or undefined when there is no such dead letter.
   */
  async replay(id: string, nowMs: number): Promise<Delivery | undefined> {
    return (await this.replayIn(this.q, id, nowMs))?.value;
  }

  /**
   * `replay` as one UPDATE through `q`: the caller's transaction, so the replay commits with
   * its audit event.
   */
  async replayIn(q: QueryRunner, id: string, nowMs: number): Promise<StoredDelivery | undefined> {
    const dead = await deliveryById(q, id);
    if (dead?.status !== 'dead') return undefined;
    const { outcome: _o, finishedAtMs: _f, ...rest } = withoutLease(dead.value);
    const queued: Delivery = {
      ...rest,
      attempts: 0,
      nextAttemptAtMs: nowMs,
      replays: dead.value.replays + 1,
    };
    const written = await this.write(dead, queued, nowMs, q);
    if (!written) {
      throw new AppError(
        'concurrent_change',
        `dead letter ${id} is being changed by others; try again`,
      );
    }
    return written;
  }

  private async write(
    current: StoredDelivery,
    next: Delivery,
    nowMs: number,
    q: QueryRunner = this.q,
  ): Promise<StoredDelivery | undefined> {
    if (!(await replaceDelivery(q, current, next, nowMs))) return undefined;
    return {
      id: current.id,
      value: next,
      status: next.outcome ?? 'queued',
      version: current.version + 1,
      updatedAtMs: nowMs,
    };
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
