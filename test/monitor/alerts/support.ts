import assert from 'node:assert/strict';
import type { Grant } from '../../../src/access/principal.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import type { AlertRecord } from '../../../src/monitor/alerts/alert.js';
import { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import type { AlertView, NewAlert } from '../../../src/monitor/types.js';
import type { TestServer } from '../../support/test-server.js';

export const BILLING_SOURCE = 'billing-api';
export const HR_SOURCE = 'hr-api';

/** A new alert as the engine raises it; override any field. */
export function newAlert(overrides: Partial<NewAlert> = {}): NewAlert {
  return {
    key: 'iso27001.failed_sign_ins:12',
    ruleId: 'iso27001.failed_sign_ins',
    title: 'Repeated failed sign-ins for u-1',
    description: '5 failed sign-ins within 5 minutes',
    severity: 'high',
    seqs: [8, 9, 10, 11, 12],
    sources: [BILLING_SOURCE],
    group: { 'actor.id': 'u-1' },
    triggeredAtMs: Date.parse('2026-11-22T08:59:59.000Z'),
    ...overrides,
  };
}

/** An open alert as stored, for tests that write many straight into the tables. */
export function storedAlert(id: string, raisedAtMs: number): AlertRecord {
  const a = newAlert();
  return {
    ...a,
    id,
    seqCount: a.seqs.length,
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
        by: { kind: 'system', id: 'monitor' },
        from: null,
        to: 'open',
      },
    ],
  };
}

/** An AlertService on the test server's log, remembering what it handed to `onRaised`. */
export function alertService(t: TestServer): {
  service: AlertService;
  raised: AlertView[];
} {
  const raised: AlertView[] = [];
  const service = new AlertService({
    store: t.log.store,
    audit: new SelfAudit(t.log.sequencer, t.log.origin, t.clock),
    clock: t.clock,
    onRaised: (alert) => {
      raised.push(alert);
    },
  });
  return { service, raised };
}

/** A person with these grants and an API token; returns the Authorization header. */
export async function tokenFor(
  t: TestServer,
  name: string,
  grants: Grant[],
): Promise<{ authorization: string; id: string }> {
  const { authorization, id } = await t.principal({
    id: `acct-${name}`,
    name,
    roles: grants,
    tokenTtlMs: 365 * 24 * 3_600_000,
  });
  return { authorization, id };
}

export interface LoggedEvent {
  seq: number;
  record: {
    id: string;
    source: string;
    action: string;
    actor: { id: string; type: string; name?: string; ip?: string };
    target: { type: string; id: string };
    details: Record<string, unknown>;
  };
}

/** The log's own alert events about one alert, oldest first, read straight from the store. */
export async function alertEvents(t: TestServer, alertId: string): Promise<LoggedEvent[]> {
  const entries = await t.log.store.search({ source: 'evident', target: alertId, limit: 1000 });
  return (
    entries
      .map((e) => ({ seq: e.seq, record: JSON.parse(e.record) as LoggedEvent['record'] }))
      // The alert's handling steps; reads of it (alert.read) are audited separately.
      .filter((e) => e.record.action.startsWith('alert.') && e.record.action !== 'alert.read')
      .sort((a, b) => a.seq - b.seq)
  );
}

export function ok<T>(res: { statusCode: number; body: string }, status = 200): T {
  assert.equal(res.statusCode, status, res.body);
  return JSON.parse(res.body) as T;
}

/**
 * `count` distinct alerts as an alert storm raises them in one engine step: one or two
 * sources (with seqs by source), a group, several seqs each. Enough of them to cross the
 * store's chunk sizes (keys and ids 500 per query, rows per multi-row insert).
 */
export function stormAlerts(count: number, prefix: string): NewAlert[] {
  return Array.from({ length: count }, (_, i) => {
    const seqs = [3 * i, 3 * i + 1, 3 * i + 2];
    const two = i % 3 === 0;
    return newAlert({
      key: `${prefix}:${i}`,
      ruleId: 'iso.restricted-off-hours',
      title: `Restricted data accessed outside working hours by u-${i}`,
      seqs,
      sources: two ? [BILLING_SOURCE, HR_SOURCE] : [BILLING_SOURCE],
      ...(two
        ? { seqsBySource: { [BILLING_SOURCE]: seqs.slice(0, 2), [HR_SOURCE]: [seqs[2]!] } }
        : {}),
      group: { 'actor.id': `u-${i}` },
      triggeredAtMs: Date.parse('2026-11-22T21:00:00.000Z') + i,
    });
  });
}

/** Each raised alert reads back as raised: its key's facts, its seqs, sources and group. */
export async function assertStormStored(
  service: AlertService,
  raised: readonly NewAlert[],
  ids: readonly string[],
): Promise<void> {
  for (const [i, input] of raised.entries()) {
    const stored = (await service.get(ids[i]!))?.value;
    assert.ok(stored, `alert ${input.key} is stored`);
    assert.equal(stored.key, input.key);
    assert.equal(stored.title, input.title);
    assert.deepEqual(stored.seqs, input.seqs);
    assert.deepEqual(stored.sources, input.sources);
    assert.deepEqual(stored.seqsBySource, input.seqsBySource);
    assert.deepEqual(stored.group, input.group);
    assert.equal(stored.history.length, 1);
    assert.equal(stored.history[0]!.action, 'raise');
  }
}
