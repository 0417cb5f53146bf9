import { SelfAudit } from '../../../src/log/self-audit.js';
import type {
  AlertSink,
  EntryObserver,
  NewAlert,
  ObservedEntry,
} from '../../../src/monitor/types.js';
import type { Store, StoredEntry } from '../../../src/store/store.js';
import { parseRecordTime } from '../../../src/verify/record-time.js';
import type { TestServer } from '../../support/test-server.js';

/** An AlertSink as the contract describes it: remembers alerts, idempotent on `key`. */
export class MemorySink implements AlertSink {
  readonly alerts: NewAlert[] = [];
  /** Every call, including repeats of a key it has seen. */
  calls = 0;

  async raise(alert: NewAlert): Promise<{ id: string; created: boolean }> {
    this.calls++;
    const at = this.alerts.findIndex((a) => a.key === alert.key);
    if (at >= 0) return { id: `alert-${at}`, created: false };
    this.alerts.push(alert);
    return { id: `alert-${this.alerts.length - 1}`, created: true };
  }
}

/** A stored entry as the engine hands it to observers. */
export function observed(entry: StoredEntry): ObservedEntry {
  const record = JSON.parse(entry.record) as Record<string, unknown>;
  return {
    seq: entry.seq,
    source: entry.source,
    record,
    timeMs: parseRecordTime(record.time),
    receivedAtMs: parseRecordTime(record.received_at),
    historical: record.historical === true,
  };
}

/**
 * Plays the engine's part: hands every committed entry after the last one fed to the
 * observer, in seq order, then moves on (as the engine persists its position).
 */
export class Feeder {
  position = 0;

  constructor(
    private readonly store: Store,
    private readonly observer: EntryObserver,
  ) {}

  async feed(): Promise<ObservedEntry[]> {
    const size = (await this.store.head())?.size ?? 0;
    const batch = (await this.store.entries(this.position, size)).map(observed);
    if (batch.length > 0) await this.observer.observe(batch);
    this.position = size;
    return batch;
  }
}

export function auditFor(t: TestServer): SelfAudit {
  return new SelfAudit(t.log.sequencer, t.log.origin, t.clock);
}

/** POST one event as `key`; returns its seq and id. */
export async function ingest(
  t: TestServer,
  key: { authorization: string },
  body: Record<string, unknown>,
): Promise<{ seq: number; id: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { ...key, 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  if (res.statusCode !== 201) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
  return res.json().entries[0];
}

export interface SelfEvent {
  action: string;
  actor: { id: string; type: string };
  target: { type: string; id: string };
  details: Record<string, unknown>;
}

/** The log's own events with this action, oldest first. */
export async function selfEvents(store: Store, action: string): Promise<SelfEvent[]> {
  const entries = await store.search({ source: 'evident', action, limit: 100 });
  return entries.map((e) => JSON.parse(e.record) as SelfEvent).reverse();
}
