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
