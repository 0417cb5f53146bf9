import { sql } from 'kysely';
import type { SourceScope } from '../../../access/authorization/source-scope.js';
import { SELF_SOURCE } from '../../../log/self-source.js';
import type { AlertRecord, HistoryEntry } from '../../../monitor/alerts/alert.js';
import type { AlertFilter } from '../../../monitor/alerts/alert-filter.js';
import { int, type Row } from '../../rows.js';
import { forUpdate, type QueryRunner, tables } from '../../sql/query-runner.js';
import { insertTableRows } from '../../sql/table-copy.js';
import { IDS_PER_QUERY } from './alert-keys-table.js';
import {
  alertColumns,
  alertFromRows,
  alertGroupRows,
  alertSeqRows,
  alertSourceRows,
  historyColumns,
} from './alert-rows.js';
import type { AlertTables } from './alert-tables.js';
import { alertWhere } from './alert-where.js';

/** An alert with the version its row is at (compare-and-set). */
export type StoredAlert = AlertRecord & { version: number };

/** Writes a new alert: its row, its source, seq and group rows, and its raise step. */
export async function insertAlert(q: QueryRunner, alert: AlertRecord, atMs: number): Promise<void> {
  await insertAlerts(q, [alert], atMs);
}

/**
 * Writes new alerts with a few multi-row statements per table (alerts first, then their
 * sources, seqs, groups and steps), not several statements per alert: an alert storm raises
 * hundreds in one transaction, and on PostgreSQL each statement is a round trip made while
 * that transaction holds the log's append lock.
 */
export async function insertAlerts(
  q: QueryRunner,
  alerts: readonly AlertRecord[],
  atMs: number,
): Promise<void> {
  if (alerts.length === 0) return;
  await insertTableRows(
    q,
    'alerts',
    alerts.map((a) => alertColumns(a, 1, atMs)),
  );
  await insertTableRows(q, 'alert_sources', alerts.flatMap(alertSourceRows));
  await insertTableRows(q, 'alert_seqs', alerts.flatMap(alertSeqRows));
  await insertTableRows(q, 'alert_groups', alerts.flatMap(alertGroupRows));
  await insertTableRows(
    q,
    'alert_history',
    alerts.flatMap((a) => a.history.map((h, step) => historyColumns(a.id, step, h))),
  );
}

/**
 * Writes an alert's new handling state and its new step, if the row is still at `version`.
 * False when someone else changed it first (nothing written).
 */
export async function updateAlert(
  q: QueryRunner,
  alert: AlertRecord,
  version: number,
  step: HistoryEntry,
  atMs: number,
): Promise<boolean> {
  const db = tables<AlertTables>(q);
  const { id: _id, ...columns } = alertColumns(alert, version + 1, atMs);
  const changed = await q.run(
    db.updateTable('alerts').set(columns).where('id', '=', alert.id).where('version', '=', version),
  );
  if (changed === 0) return false;
  await q.run(
    db
      .updateTable('alert_sources')
      .set({ state: alert.state })
      .where('alert_id', '=', alert.id)
      .where('state', '<>', alert.state),
  );
  await q.run(
    db.insertInto('alert_history').values(historyColumns(alert.id, alert.history.length - 1, step)),
  );
  return true;
}

/** One alert with its history, or undefined; `lock` holds its row for the transaction. */
export async function alertById(
  q: QueryRunner,
  id: string,
  options: { lock?: boolean } = {},
): Promise<StoredAlert | undefined> {
  const db = tables<AlertTables>(q);
  const select = db.selectFrom('alerts').selectAll().where('id', '=', id);
  const row = await q.first<Row>(options.lock ? forUpdate(q, select) : select);
  if (!row) return undefined;
  const histories = await historiesOf(q, [id]);
  return alertFromRows(row, histories.get(id) ?? []);
}

/** Which of these alert ids are stored: one query per 500 ids. */
export async function storedAlertIds(q: QueryRunner, ids: readonly string[]): Promise<Set<string>> {
  const db = tables<AlertTables>(q);
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await q.all<Row>(
      db
        .selectFrom('alerts')
        .select('id')
        .where('id', 'in', ids.slice(i, i + IDS_PER_QUERY)),
    );
    for (const row of rows) found.add(String(row.id));
  }
  return found;
}

/** Newest first, below `before` (an id, exclusive): one keyset page in SQL. */
export async function alertPage(
  q: QueryRunner,
  query: { filter: AlertFilter; scope: SourceScope; before?: string; limit: number },
): Promise<StoredAlert[]> {
  if (query.filter.source !== undefined) return alertPageBySource(q, query, query.filter.source);
  const db = tables<AlertTables>(q);
  let select = db
    .selectFrom('alerts as a')
    .selectAll('a')
    .where(alertWhere(db, query.filter, query.scope));
  if (query.before !== undefined) select = select.where('a.id', '<', query.before);
  const rows = await q.all<Row>(select.orderBy('a.id', 'desc').limit(query.limit));
  return withHistories(q, rows);
}

/**
 * A page filtered by source walks that source's rows of `alert_sources` (with the state, when
 * filtered by it too: the row carries it) newest first and reads only the alerts it keeps.
 * Walking an `alerts` index instead probes `alert_sources` once per alert passed over: all of
 * them when the source has few alerts in that state. CROSS JOIN keeps SQLite's join order;
 * PostgreSQL plans it as any inner join.
 */
async function alertPageBySource(
  q: QueryRunner,
  query: { filter: AlertFilter; scope: SourceScope; before?: string; limit: number },
  source: string,
): Promise<StoredAlert[]> {
  const db = tables<AlertTables>(q);
  let select = db
    .selectFrom('alert_sources as s')
    .crossJoin('alerts as a')
    .selectAll('a')
    .whereRef('a.id', '=', 's.alert_id')
    .where('s.source', '=', source)
    .where(alertWhere(db, query.filter, query.scope, { sourceJoined: true }));
  if (query.filter.state !== undefined) select = select.where('s.state', '=', query.filter.state);
  if (query.before !== undefined) select = select.where('s.alert_id', '<', query.before);
  const rows = await q.all<Row>(select.orderBy('s.alert_id', 'desc').limit(query.limit));
  return withHistories(q, rows);
}

/** Oldest first, above `after` and at most `upTo` (ids): the pages of an export. */
export async function alertsAscending(
  q: QueryRunner,
  query: { filter: AlertFilter; scope: SourceScope; after?: string; upTo: string; limit: number },
): Promise<StoredAlert[]> {
  const db = tables<AlertTables>(q);
  let select = db
    .selectFrom('alerts as a')
    .selectAll('a')
    .where(alertWhere(db, query.filter, query.scope))
    .where('a.id', '<=', query.upTo);
  if (query.after !== undefined) select = select.where('a.id', '>', query.after);
  const rows = await q.all<Row>(select.orderBy('a.id', 'asc').limit(query.limit));
  return withHistories(q, rows);
}

/** How many alerts match, and the oldest and newest id among them. */
export async function alertSpan(
  q: QueryRunner,
  filter: AlertFilter,
  scope: SourceScope,
): Promise<{ count: number; firstId: string | null; lastId: string | null }> {
  const db = tables<AlertTables>(q);
  const row = await q.first<Row>(
    db
      .selectFrom('alerts as a')
      .select((eb) => [
        eb.fn.countAll().as('n'),
        eb.fn.min('a.id').as('first_id'),
        eb.fn.max('a.id').as('last_id'),
      ])
      .where(alertWhere(db, filter, scope)),
  );
  return {
    count: int(row?.n ?? 0),
    firstId: row?.first_id == null ? null : String(row.first_id),
    lastId: row?.last_id == null ? null : String(row.last_id),
  };
}

/** Per severity, state and disposition: counts and summed response times (metrics.ts folds them). */
export interface AlertTally {
  severity: string;
  state: string;
  disposition: string | null;
  alerts: number;
  acknowledged: number;
  ackTotalMs: number;
  resolved: number;
  resolveTotalMs: number;
}

export async function alertTallies(
  q: QueryRunner,
  filter: AlertFilter,
  scope: SourceScope,
): Promise<AlertTally[]> {
  const db = tables<AlertTables>(q);
  const resolvedNow = sql`a.state = 'resolved' AND a.resolved_at_ms IS NOT NULL`;
  const rows = await q.all<Row>(
    db
      .selectFrom('alerts as a')
      .select((eb) => [
        'a.severity',
        'a.state',
        'a.disposition',
        eb.fn.countAll().as('n'),
        eb.fn.count('a.acknowledged_at_ms').as('acked'),
        sql<string>`COALESCE(SUM(a.acknowledged_at_ms - a.raised_at_ms), 0)`.as('ack_total'),
        sql<string>`COALESCE(SUM(CASE WHEN ${resolvedNow} THEN 1 ELSE 0 END), 0)`.as('resolved'),
        sql<string>`COALESCE(SUM(CASE WHEN ${resolvedNow} THEN a.resolved_at_ms - a.raised_at_ms ELSE 0 END), 0)`.as(
          'resolve_total',
        ),
      ])
      .where(alertWhere(db, filter, scope))
      .groupBy(['a.severity', 'a.state', 'a.disposition']),
  );
  return rows.map((r) => ({
    severity: String(r.severity),
    state: String(r.state),
    disposition: r.disposition === null ? null : String(r.disposition),
    alerts: int(r.n),
    acknowledged: int(r.acked),
    ackTotalMs: int(r.ack_total),
    resolved: int(r.resolved),
    resolveTotalMs: int(r.resolve_total),
  }));
}

async function withHistories(q: QueryRunner, rows: Row[]): Promise<StoredAlert[]> {
  if (rows.length === 0) return [];
  const histories = await historiesOf(
    q,
    rows.map((r) => String(r.id)),
  );
  return rows.map((r) => alertFromRows(r, histories.get(String(r.id)) ?? []));
}

/**
 * The steps of these alerts in step order, each with the seq of its event: joined from the
 * log by event id (and source `evident`, so no other source's event can stand in for it).
 */
async function historiesOf(q: QueryRunner, ids: readonly string[]): Promise<Map<string, Row[]>> {
  const db = tables<AlertTables>(q);
  const out = new Map<string, Row[]>();
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const rows = await q.all<Row>(
      db
        .selectFrom('alert_history as h')
        .leftJoin('entries as e', (join) =>
          join.onRef('e.id', '=', 'h.event_id').on('e.source', '=', SELF_SOURCE),
        )
        .selectAll('h')
        .select('e.seq as seq')
        .where('h.alert_id', 'in', ids.slice(i, i + IDS_PER_QUERY))
        .orderBy('h.alert_id')
        .orderBy('h.step'),
    );
    for (const row of rows) {
      const id = String(row.alert_id);
      const list = out.get(id);
      if (list) list.push(row);
      else out.set(id, [row]);
    }
  }
  return out;
}
