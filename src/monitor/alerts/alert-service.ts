import { decodeTime, encodeTime } from 'ulid';
import { AppError } from '../../errors.js';
import type { SelfAudit } from '../../log/self-audit.js';
import { SELF_SOURCE } from '../../log/self-source.js';
import { StateCollection, type Versioned } from '../../store/state-collection.js';
import type { Store } from '../../store/store.js';
import { type Clock, systemClock } from '../../util/clock.js';
import { type IdGenerator, ulidGenerator } from '../../util/ids.js';
import type { AlertSink, AlertView, NewAlert } from '../types.js';
import {
  type ActorSnapshot,
  ALERT_KEY_KIND,
  ALERT_KIND,
  type AlertKeyDoc,
  type AlertRecord,
  type HistoryEntry,
  MAX_STORED_SEQS,
} from './alert.js';
import { eventFor, MONITOR_ACTOR } from './alert-events.js';
import { type AlertFilter, matchesFilter } from './alert-filter.js';
import { alertView } from './alert-view.js';
import { applyTransition, type Transition } from './lifecycle.js';

export interface AlertServiceOptions {
  store: Store;
  audit: SelfAudit;
  clock?: Clock;
  ids?: IdGenerator;
  /** Told once per new alert, after it and its `alert.raise` event are durable (notifications). */
  onRaised?: (alert: AlertView) => Promise<unknown> | unknown;
  /** A failing `onRaised` does not fail the raise (the alert is stored and logged). */
  onError?: (error: unknown) => void;
}

export interface AlertPage {
  alerts: AlertRecord[];
  /** Where the next page starts (an alert id); null when the scan reached the end. */
  next: string | null;
}

/** Documents read per store call while scanning. */
const SCAN_PAGE = 200;
/** Seq write-backs retry on conflict; each retry re-reads, so progress is certain soon. */
const MAX_FILL_ATTEMPTS = 16;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function isAlertId(id: string): boolean {
  return ULID.test(id);
}

/**
 * Alerts and their handling, as compare-and-set state documents whose
 * every step is also an event of source `evident`.
 *
 * A step changes the document first (with its event id and a pending seq), then appends
 * its event under that id, then writes the seq back. The sequencer stores an id once, so
 * whoever finds a step still pending (a crash came between) appends it again safely, and
 * the document never claims a step the log lacks for longer than it takes the next write
 * to that alert to complete it. Compare-and-set makes concurrent steps serial: each is
 * judged against the state the other left, so two acknowledgements give one 409.
 */
export class AlertService implements AlertSink {
  private readonly alerts: StateCollection<AlertRecord>;
  private readonly keys: StateCollection<AlertKeyDoc>;
  private readonly clock: Clock;
  private readonly ids: IdGenerator;

  constructor(private readonly options: AlertServiceOptions) {
    this.alerts = new StateCollection(options.store, ALERT_KIND);
    this.keys = new StateCollection(options.store, ALERT_KEY_KIND);
    this.clock = options.clock ?? systemClock;
    this.ids = options.ids ?? ulidGenerator();
  }

  /**
   * Idempotent on `key`: the first raise claims the key (compare-and-set create) with the
   * whole alert, so a crash before the alert document or its event exists is repaired by
   * the next raise of the same key (the engine raises it again after a restart).
   */
  async raise(input: NewAlert): Promise<{ id: string; created: boolean }> {
    checkNewAlert(input);
    const now = this.clock.now();
    let claim = await this.keys.get(input.key);
    let created = false;
    if (!claim) {
      const id = this.ids(now);
      const alert = newAlertRecord(id, input);
      if (await this.keys.create(input.key, { alertId: id, alert }, now)) {
        created = true;
        claim = { id: input.key, value: { alertId: id, alert }, version: 1, updatedAtMs: now };
      } else {
        claim = await this.keys.get(input.key);
        if (!claim) throw new AppError('internal', `alert key ${input.key} vanished`);
      }
    }
    const { alertId, alert } = claim.value;
    if (!(await this.alerts.get(alertId))) await this.alerts.create(alertId, alert, now);
    const { filled, doc } = await this.completePending(alertId);
    if (filled.has(alertId) && this.options.onRaised) {
      try {
        await this.options.onRaised(alertView(doc.value));
      } catch (error) {
        this.options.onError?.(error);
      }
    }
    return { id: alertId, created };
  }

  async get(id: string): Promise<Versioned<AlertRecord> | undefined> {
    return isAlertId(id) ? this.alerts.get(id) : undefined;
  }

  /**
   * One step by a person or service. The caller has authorised it on this alert's sources.
   * Resolves once the step's event is durable, with the alert as it then stands.
   */
  async handle(id: string, transition: Transition, by: ActorSnapshot): Promise<AlertRecord> {
    const now = this.clock.now();
    const stamp = { eventId: this.ids(now), atMs: now, by };
    const changed = await this.alerts.update(id, (a) => applyTransition(a, transition, stamp), now);
    if (!changed) throw new AppError('not_found', `no alert ${id}`);
    return (await this.completePending(id)).doc.value;
  }

  /**
   * Newest first, from `before` (exclusive), keeping those `keep` accepts; reads at most
   * `maxScanned` documents, so a narrow filter over a long history answers with a short
   * page and a cursor rather than reading everything.
   */
  async page(options: {
    filter: AlertFilter;
    keep: (alert: AlertRecord) => boolean;
    before?: string;
    limit: number;
    maxScanned: number;
  }): Promise<AlertPage> {
    const { filter, keep, limit } = options;
    let before = earliest(options.before, upperBound(filter.toMs));
    const alerts: AlertRecord[] = [];
    let scanned = 0;
    for (;;) {
      const docs = await this.alerts.list({
        reverse: true,
        limit: SCAN_PAGE,
        ...(before ? { after: before } : {}),
      });
      for (const doc of docs) {
        before = doc.id;
        scanned++;
        const alert = doc.value;
        if (filter.fromMs !== undefined && alert.raisedAtMs < filter.fromMs) {
          return { alerts, next: null };
        }
        if (matchesFilter(alert, filter) && keep(alert)) alerts.push(alert);
        if (alerts.length === limit || scanned >= options.maxScanned) {
          return { alerts, next: doc.id };
        }
      }
      if (docs.length < SCAN_PAGE) return { alerts, next: null };
    }
  }

  /** Every match (exports, metrics); refuses with 400 beyond `max` rather than run away. */
  async all(filter: AlertFilter, keep: (a: AlertRecord) => boolean, max: number) {
    const { alerts, next } = await this.page({
      filter,
      keep,
      limit: max + 1,
      maxScanned: Number.MAX_SAFE_INTEGER,
    });
    if (alerts.length > max || next !== null) {
      throw new AppError(
        'too_many_matches',
        `more than ${max} alerts match; narrow the range with "from" and "to"`,
        { path: 'from' },
      );
    }
    return alerts;
  }

  /**
   * Appends the events of every step still pending, oldest first, and records their seqs.
   * Returns the event ids whose seq this call wrote (exactly one caller writes each).
   */
  private async completePending(
    id: string,
  ): Promise<{ doc: Versioned<AlertRecord>; filled: Set<string> }> {
    const current = await this.alerts.get(id);
    if (!current) throw new AppError('not_found', `no alert ${id}`);
    const pending = current.value.history.filter((h) => h.seq === null);
    const seqs = new Map<string, number>();
    for (const step of pending) {
      const seq = await this.append(current.value, step);
      if (seq !== undefined) seqs.set(step.eventId, seq);
    }
    const filled = new Set<string>();
    let doc = current;
    // Write only when a seq is still missing: another completer may have written them all.
    for (let attempt = 0; seqs.size > 0 && attempt < MAX_FILL_ATTEMPTS; attempt++) {
      let changed = false;
      const history = doc.value.history.map((h) => {
        const seq = seqs.get(h.eventId);
        if (h.seq !== null || seq === undefined) return h;
        changed = true;
        return { ...h, seq };
      });
      if (!changed) return { doc, filled };
      const next = { ...doc.value, history };
      const now = this.clock.now();
      if (await this.alerts.replace(id, next, doc.version, now)) {
        for (const h of doc.value.history)
          if (h.seq === null && seqs.has(h.eventId)) filled.add(h.eventId);
        return { doc: { id, value: next, version: doc.version + 1, updatedAtMs: now }, filled };
      }
      const again = await this.alerts.get(id);
      if (!again) throw new AppError('not_found', `no alert ${id}`);
      doc = again;
    }
    return { doc, filled };
  }

  /**
   * The step's event, appended once: an id already in the log (a retry, or another process
   * completing the same step) answers with the stored seq. Undefined when another appender
   * holds the id in a batch not yet committed; that appender records the seq.
   */
  private async append(alert: AlertRecord, step: HistoryEntry): Promise<number | undefined> {
    const stored = await this.storedSeq(step.eventId);
    if (stored !== undefined) return stored;
    try {
      return await this.options.audit.record(eventFor(alert, step));
    } catch (error) {
      if (error instanceof AppError && error.code === 'conflict') {
        return this.storedSeq(step.eventId);
      }
      throw error;
    }
  }

  private async storedSeq(eventId: string): Promise<number | undefined> {
    const entry = await this.options.store.entryById(eventId);
    if (entry === undefined) return undefined;
    if (entry.source !== SELF_SOURCE) {
      throw new AppError('internal', `event ${eventId} belongs to source ${entry.source}`);
    }
    return entry.seq;
  }
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

/** The smallest id above every alert raised at or before `toMs` (list order is id order). */
function upperBound(toMs: number | undefined): string | undefined {
  return toMs === undefined ? undefined : `${encodeTime(toMs + 1, 10)}${'0'.repeat(16)}`;
}

function earliest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a < b ? a : b;
}
