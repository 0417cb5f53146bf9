import type { Selectable } from 'kysely';
import type { AttemptRecord, Delivery, DeliveryStatus } from '../../../monitor/notify/queue.js';
import { int } from '../../rows.js';
import { type QueryRunner, tables } from '../../sql/query-runner.js';
import { isObject, storedJson } from '../stored-json.js';
import type { DeliveriesTable, NotifyTables } from './notify-tables.js';

/** A delivery with where it stands: its state and the version a compare-and-set names. */
export interface StoredDelivery {
  id: string;
  value: Delivery;
  status: DeliveryStatus;
  version: number;
  updatedAtMs: number;
}

const db = (q: QueryRunner) => tables<NotifyTables>(q);

export async function insertDelivery(q: QueryRunner, d: Delivery, atMs: number): Promise<void> {
  await q.run(
    db(q)
      .insertInto('deliveries')
      .values(deliveryColumns(d, 'queued', 1, atMs)),
  );
}

export async function deliveryById(
  q: QueryRunner,
  id: string,
): Promise<StoredDelivery | undefined> {
  const row = await q.first(db(q).selectFrom('deliveries').selectAll().where('id', '=', id));
  return row && toStoredDelivery(row);
}

/** One state's deliveries, newest (largest id) first, from before `before`. */
export async function deliveriesIn(
  q: QueryRunner,
  status: DeliveryStatus,
  page: { before?: string; limit: number },
): Promise<StoredDelivery[]> {
  let query = db(q).selectFrom('deliveries').selectAll().where('state', '=', status);
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  const rows = await q.all(query.orderBy('id', 'desc').limit(page.limit));
  return rows.map(toStoredDelivery);
}

/** Queued deliveries in id (creation) order, after `after`. */
export async function queuedAfter(
  q: QueryRunner,
  after: string | undefined,
  limit: number,
): Promise<StoredDelivery[]> {
  let query = db(q).selectFrom('deliveries').selectAll().where('state', '=', 'queued');
  if (after !== undefined) query = query.where('id', '>', after);
  const rows = await q.all(query.orderBy('id').limit(limit));
  return rows.map(toStoredDelivery);
}

/**
 * Queued deliveries due at `nowMs` and not held by a live claim, soonest first, after the
 * keyset position `after` (the (next attempt, id) of the previous page's last row).
 */
export async function dueDeliveries(
  q: QueryRunner,
  nowMs: number,
  after: { atMs: number; id: string } | undefined,
  limit: number,
): Promise<StoredDelivery[]> {
  let query = db(q)
    .selectFrom('deliveries')
    .selectAll()
    .where('state', '=', 'queued')
    .where('next_attempt_at_ms', '<=', nowMs)
    .where((w) => w.or([w('lease_until_ms', 'is', null), w('lease_until_ms', '<=', nowMs)]));
  if (after !== undefined) {
    query = query.where((w) =>
      w.or([
        w('next_attempt_at_ms', '>', after.atMs),
        w.and([w('next_attempt_at_ms', '=', after.atMs), w('id', '>', after.id)]),
      ]),
    );
  }
  const rows = await q.all(query.orderBy('next_attempt_at_ms').orderBy('id').limit(limit));
  return rows.map(toStoredDelivery);
}

/** The earliest retry time among queued deliveries not yet due. */
export async function nextAttemptAfter(q: QueryRunner, nowMs: number): Promise<number | undefined> {
  const row = await q.first(
    db(q)
      .selectFrom('deliveries')
      .select('next_attempt_at_ms')
      .where('state', '=', 'queued')
      .where('next_attempt_at_ms', '>', nowMs)
      .orderBy('next_attempt_at_ms')
      .limit(1),
  );
  return row === undefined ? undefined : int(row.next_attempt_at_ms);
}

/**
 * Writes `next` over the delivery if it still is at `expected` (its state and version): ONE
 * conditional UPDATE, so of several processes holding the same version exactly one wins,
 * and a move between states is this same single write. False when someone else wrote first.
 */
export async function replaceDelivery(
  q: QueryRunner,
  expected: { id: string; status: DeliveryStatus; version: number },
  next: Delivery,
  atMs: number,
): Promise<boolean> {
  const status: DeliveryStatus = next.outcome ?? 'queued';
  const {
    id: _id,
    created_at_ms: _c,
    ...columns
  } = deliveryColumns(next, status, expected.version + 1, atMs);
  const changed = await q.run(
    db(q)
      .updateTable('deliveries')
      .set(columns)
      .where('id', '=', expected.id)
      .where('state', '=', expected.status)
      .where('version', '=', expected.version),
  );
  return changed === 1;
}

/** For tests and operators: removes every delivery. */
export async function deleteAllDeliveries(q: QueryRunner): Promise<number> {
  return q.run(db(q).deleteFrom('deliveries'));
}

export function deliveryColumns(
  d: Delivery,
  status: DeliveryStatus,
  version: number,
  atMs: number,
): DeliveriesTable {
  const last = d.history[d.history.length - 1];
  return {
    id: d.id,
    channel: d.channelId,
    state: status,
    next_attempt_at_ms: d.nextAttemptAtMs,
    attempts: d.attempts,
    replays: d.replays,
    lease_owner: d.lease?.owner ?? null,
    lease_until_ms: d.lease?.untilMs ?? null,
    last_error: last !== undefined && !last.ok ? (last.error ?? null) : null,
    payload: JSON.stringify(d.message),
    history: JSON.stringify(d.history),
    created_at_ms: d.createdAtMs,
    finished_at_ms: d.finishedAtMs ?? null,
    version,
    updated_at_ms: atMs,
  };
}

export function toStoredDelivery(row: Selectable<DeliveriesTable>): StoredDelivery {
  const status = row.state;
  if (status !== 'queued' && status !== 'delivered' && status !== 'dead') {
    throw new Error(`delivery ${row.id} has an unknown state "${String(status)}"`);
  }
  const leaseUntil = row.lease_until_ms === null ? null : int(row.lease_until_ms);
  const finishedAt = row.finished_at_ms === null ? null : int(row.finished_at_ms);
  const value: Delivery = {
    id: row.id,
    channelId: row.channel,
    message: storedJson(row.payload, isMessage, `message of delivery ${row.id}`),
    createdAtMs: int(row.created_at_ms),
    attempts: int(row.attempts),
    nextAttemptAtMs: int(row.next_attempt_at_ms),
    ...(row.lease_owner !== null && leaseUntil !== null
      ? { lease: { owner: row.lease_owner, untilMs: leaseUntil } }
      : {}),
    history: storedJson(row.history, isHistory, `history of delivery ${row.id}`),
    ...(status !== 'queued' ? { outcome: status } : {}),
    ...(finishedAt !== null ? { finishedAtMs: finishedAt } : {}),
    replays: int(row.replays),
  };
  return {
    id: row.id,
    value,
    status,
    version: int(row.version),
    updatedAtMs: int(row.updated_at_ms),
  };
}

function isMessage(value: unknown): value is Delivery['message'] {
  return (
    isObject(value) &&
    typeof value.event === 'string' &&
    isObject(value.alert) &&
    typeof value.alert.id === 'string' &&
    isObject(value.links)
  );
}

function isHistory(value: unknown): value is AttemptRecord[] {
  return (
    Array.isArray(value) &&
    value.every(
      (a) =>
        isObject(a) &&
        typeof a.atMs === 'number' &&
        typeof a.ok === 'boolean' &&
        typeof a.durationMs === 'number',
    )
  );
}
