import { decodeTime } from 'ulid';
import type { SourceScope } from '../../access/authorization/source-scope.js';
import { ALL_SOURCES } from '../../access/authorization/source-scope.js';
import { AppError } from '../../errors.js';
import type { SelfAudit, SelfAuditEvent } from '../../log/self-audit.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import type { Store } from '../../store/store.js';
import { alertIdsForKeys, claimAlertKeys } from '../../store/tables/alerts/alert-keys-table.js';
import {
  alertById,
  alertPage,
  alertSpan,
  alertsAscending,
  alertTallies,
  insertAlerts,
  type StoredAlert,
  storedAlertIds,
  updateAlert,
} from '../../store/tables/alerts/alerts-table.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { type IdGenerator, ulidGenerator } from '../../util/ids.js';
import type { AlertSink, AlertView, NewAlert } from '../types.js';
import { type ActorSnapshot, type AlertRecord, MAX_STORED_SEQS } from './alert.js';
import { eventFor, MONITOR_ACTOR } from './alert-events.js';
import { type AlertFilter, visibleTo } from './alert-filter.js';
import { alertView } from './alert-view.js';
import { applyTransition, type Transition } from './lifecycle.js';
import { type AlertMetrics, metricsFromTallies } from './metrics.js';

export interface AlertServiceOptions {
  store: Store;
  audit: SelfAudit;
  clock?: Clock;
  ids?: IdGenerator;
  /** Told once per new alert, after it and its `alert.raise` event are durable (notifications). */
  onRaised?: (alert: AlertView) => Promise<unknown> | unknown;
  /** A failing `onRaised` does not fail the raise (the alert is stored and logged). */
  onError?: (error: unknown) => void;
  /**
   * Turns the account named in an assign step into an account id that may handle an alert
   * with these sources, or refuses (routes' assign; absent: any id is taken as given).
   */
  assignable?: (account: string, sources: readonly string[]) => Promise<string>;
}

/** A stored alert as callers read it: the alert and the version of its row. */
export interface Versioned<T> {
  id: string;
  value: T;
  version: number;
}

export interface AlertPage {
  alerts: AlertRecord[];
  /** Where the next page starts (an alert id); null when this page reached the end. */
  next: string | null;
}

/** Alerts read per query while an export streams (bounded memory, any number of alerts). */
const EXPORT_PAGE = 1000;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isAlertId(id: string): boolean {
  return ULID.test(id);
}

/**
 * Alerts and their handling, over the alert tables (src/store/tables/alerts/). Every change
 * is one transaction with its `alert.*` event (SelfAudit.recordWithin): the alert's row, its
 * new history step and the event commit together or not at all, so the alert never shows a
 * step the log lacks. The row is read locked inside that transaction, so concurrent steps
 * are serial: each is judged against the state the other left (two acknowledgements, one 409).
 * Lists, exports and metrics filter, page and count in SQL.
 */
export class AlertService implements AlertSink {
  private readonly clock: Clock;
  private readonly ids: IdGenerator;

  constructor(private readonly options: AlertServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? ulidGenerator();
  }

  /**
   * Idempotent on `key`: the key, the alert and its `alert.raise` event commit together, so
   * a key seen before means the alert exists (another raise of it changes nothing).
   */
  async raise(input: NewAlert): Promise<{ id: string; created: boolean }> {
    const [result] = await this.raiseAll([input]);
    return result!;
  }

  /**
   * Raises several alerts in one transaction, with `alongside` writes (the engine's position)
   * committed with them: after a crash either all of them and the position are there, or
   * none. Duplicate keys (within the call or seen before) are raised once.
   */
  async raiseAll(
    inputs: readonly NewAlert[],
    alongside?: (tx: QueryRunner) => Promise<void>,
  ): Promise<{ id: string; created: boolean }[]> {
    for (const input of inputs) checkNewAlert(input);
    const keys = [...new Set(inputs.map((i) => i.key))];
    if (alongside === undefined) {
      // The common repeat (a re-evaluation after a restart) answers from a read.
      const q = this.options.store.state;
      const known = await alertIdsForKeys(q, keys);
      if (known.size === keys.length) {
        const stored = await storedAlertIds(q, [...known.values()]);
        if (stored.size === known.size)
          return inputs.map((i) => ({ id: known.get(i.key)!, created: false }));
      }
    }
    const now = this.clock.now();
    const { result } = await this.options.audit.recordWithin(async (tx) => {
      // Set-based: two reads, then a few multi-row inserts for the whole batch. The
      // transaction holds the log's append lock, so its statements (round trips on
      // PostgreSQL) hold up ingest: per alert they cost an alert storm most of its throughput.
      const known = await alertIdsForKeys(tx, keys);
      const stored = await storedAlertIds(tx, [...known.values()]);
      const events: SelfAuditEvent[] = [];
      const created: AlertRecord[] = [];
      const claims: { key: string; alertId: string }[] = [];
      const results: { id: string; created: boolean }[] = [];
      for (const input of inputs) {
        const id = known.get(input.key);
        if (id !== undefined && stored.has(id)) {
          // Raised before, or earlier in this call.
          results.push({ id, created: false });
          continue;
        }
        // A key without its alert is left by a store migrated from before transactions
        // (a crash between the two writes): the alert is made now under the id it claimed,
        // and notified, though this raise did not claim the key (`created` false).
        const alertId = id ?? this.ids(now);
        if (id === undefined) {
          claims.push({ key: input.key, alertId });
          known.set(input.key, alertId);
        }
        stored.add(alertId);
        const alert = newAlertRecord(alertId, input);
        events.push(eventFor(alert, alert.history[0]!));
        created.push(alert);
        results.push({ id: alertId, created: id === undefined });
      }
      await claimAlertKeys(tx, claims, now);
      await insertAlerts(tx, created, now);
      if (alongside) await alongside(tx);
      return { events, result: { results, created } };
    });
    for (const alert of result.created) await this.notify(alert);
    return result.results;
  }

  async get(id: string): Promise<Versioned<AlertRecord> | undefined> {
    if (!isAlertId(id)) return undefined;
    const alert = await alertById(this.options.store.state, id);
    return alert ? versioned(alert) : undefined;
  }

  /** The alert if `scope` sees it; otherwise the same 404 as for an alert that does not exist. */
  async visible(id: string, scope: SourceScope): Promise<AlertRecord> {
    const doc = await this.get(id);
    if (!doc || !visibleTo(scope, doc.value)) throw new AppError('not_found', `no alert ${id}`);
    return doc.value;
  }

  /**
   * One step by a person or service on an alert `scope` sees (default: every alert).
   * Resolves once the step and its event are durable, with the alert as it then stands.
   */
  async handle(
    id: string,
    transition: Transition,
    by: ActorSnapshot,
    scope: SourceScope = ALL_SOURCES,
  ): Promise<AlertRecord> {
    let checked = transition;
    if (transition.action === 'assign' && transition.assignee !== null && this.options.assignable) {
      const alert = await this.visible(id, scope);
      checked = {
        action: 'assign',
        assignee: await this.options.assignable(transition.assignee, alert.sources),
      };
    }
    const now = this.clock.now();
    const stamp = { eventId: this.ids(now), atMs: now, by };
    const { result, seqs } = await this.options.audit.recordWithin(async (tx) => {
      const alert = await alertById(tx, id, { lock: true });
      if (!alert || !visibleTo(scope, alert)) throw new AppError('not_found', `no alert ${id}`);
      const next = applyTransition(alert, checked, stamp);
      const step = next.history.at(-1)!;
      if (!(await updateAlert(tx, next, alert.version, step, now))) {
        throw new AppError(
          'concurrent_change',
          `alert ${id} is being changed by others; try again`,
        );
      }
      return { events: [eventFor(next, step)], result: next };
    });
    const history = result.history.map((h) =>
      h.eventId === stamp.eventId ? { ...h, seq: seqs[0] ?? null } : h,
    );
    return { ...stripVersion(result), history };
  }

  /** Newest first, from `before` (exclusive): one keyset page, filtered in SQL. */
  async page(options: {
    filter: AlertFilter;
    scope: SourceScope;
    before?: string;
    limit: number;
  }): Promise<AlertPage> {
    const rows = await alertPage(this.options.store.state, {
      ...options,
      limit: options.limit + 1,
    });
    const alerts = rows.slice(0, options.limit).map(stripVersion);
    return { alerts, next: rows.length > options.limit ? alerts.at(-1)!.id : null };
  }

  /**
   * Every match, oldest first, in pages as they are read: how many there are and their
   * first and last id come first (for the export's audit event), then the alerts, bounded
   * to that span so the count and the stream agree on which alerts were raised in time.
   */
  async exportAll(filter: AlertFilter, scope: SourceScope) {
    const q = this.options.store.state;
    const span = await alertSpan(q, filter, scope);
    async function* pages(): AsyncGenerator<AlertRecord[]> {
      if (span.lastId === null) return;
      let after: string | undefined;
      for (;;) {
        const page = await alertsAscending(q, {
          filter,
          scope,
          upTo: span.lastId,
          limit: EXPORT_PAGE,
          ...(after !== undefined ? { after } : {}),
        });
        if (page.length > 0) yield page.map(stripVersion);
        if (page.length < EXPORT_PAGE) return;
        after = page.at(-1)!.id;
      }
    }
    return { ...span, pages: pages() };
  }

  /** Response times and dispositions, summed in SQL over every match. */
  async metrics(filter: AlertFilter, scope: SourceScope): Promise<AlertMetrics> {
    return metricsFromTallies(await alertTallies(this.options.store.state, filter, scope));
  }

  private async notify(alert: AlertRecord): Promise<void> {
    if (!this.options.onRaised) return;
    try {
      await this.options.onRaised(alertView(alert));
    } catch (error) {
      this.options.onError?.(error);
    }
  }
}

function versioned(alert: StoredAlert): Versioned<AlertRecord> {
  return { id: alert.id, value: stripVersion(alert), version: alert.version };
}

function stripVersion(alert: StoredAlert | AlertRecord): AlertRecord {
  const { version: _version, ...rest } = alert as StoredAlert;
  return rest;
}

function newAlertRecord(id: string, input: NewAlert): AlertRecord {
  const raisedAtMs = decodeTime(id);
  const seqs = [...input.seqs].sort((a, b) => a - b);
  return {
    id,
    key: input.key,
    ruleId: input.ruleId,
    title: input.title,
    ...(input.description !== undefined ? { description: input.description } : {}),
    severity: input.severity,
    seqs: seqs.slice(0, MAX_STORED_SEQS),
    seqCount: seqs.length,
    sources: [...new Set(input.sources)].sort(),
    ...(input.seqsBySource !== undefined
      ? {
          seqsBySource: Object.fromEntries(
            Object.entries(input.seqsBySource).map(([s, list]) => [
              s,
              [...list].sort((a, b) => a - b).slice(0, MAX_STORED_SEQS),
            ]),
          ),
        }
      : {}),
    ...(input.group !== undefined ? { group: input.group } : {}),
    triggeredAtMs: input.triggeredAtMs,
    raisedAtMs,
    state: 'open',
    assignee: null,
    acknowledgedAtMs: null,
    acknowledgedBy: null,
    resolvedAtMs: null,
    resolution: null,
    history: [
      {
        action: 'raise',
        eventId: id,
        seq: null,
        atMs: raisedAtMs,
        by: MONITOR_ACTOR,
        from: null,
        to: 'open',
      },
    ],
  };
}

/** Raisers are our own code; a malformed alert is a bug to surface, not to store. */
function checkNewAlert(input: NewAlert): void {
  const problem =
    typeof input.key !== 'string' || input.key.length === 0 || input.key.length > 512
      ? 'key must be 1–512 characters'
      : typeof input.ruleId !== 'string' || input.ruleId.length === 0
        ? 'ruleId is required'
        : !input.seqs.every((s) => Number.isSafeInteger(s) && s >= 0)
          ? 'seqs must be non-negative integers'
          : !Number.isFinite(input.triggeredAtMs)
            ? 'triggeredAtMs must be a time'
            : undefined;
  if (problem !== undefined) throw new AppError('internal', `cannot raise alert: ${problem}`);
}
