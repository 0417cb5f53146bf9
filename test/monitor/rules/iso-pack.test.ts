import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Evaluator } from '../../../src/monitor/engine/evaluator.js';
import type { NewAlert, ObservedEntry } from '../../../src/monitor/types.js';
import { EntryStream, rulesOf } from './helpers.js';

/** A Monday, 10:00 UTC: inside the pack's default working hours (Mon–Fri 07:00–19:00 UTC). */
const MONDAY_10 = Date.parse('2026-11-23T10:00:00.000Z');
const SEC = 1000;

function pack(): Evaluator {
  return new Evaluator(rulesOf('', { withPack: true }));
}

function alertsOf(ev: Evaluator, entries: ObservedEntry[]): NewAlert[] {
  return entries.flatMap((e) => ev.evaluate(e));
}

const ids = (alerts: NewAlert[]) => alerts.map((a) => a.ruleId);

describe('ISO 27001 pack', () => {
  it('a brute force against one account raises exactly one alert (iso.failed-sign-ins)', () => {
    const ev = pack();
    const s = new EntryStream();
    const attempts: ObservedEntry[] = [];
    for (let i = 0; i < 200; i++) {
      attempts.push(
        s.next({
          atMs: MONDAY_10 + i * 2 * SEC,
          source: 'webapp',
          actor: { id: 'alice', type: 'user', ip: '198.51.100.7' },
          action: 'auth.sign_in',
          outcome: i < 20 ? 'failure' : 'denied', // locked after 20
          extra: { category: 'authentication', reason: 'bad_password' },
        }),
      );
    }
    const alerts = alertsOf(ev, attempts);
    assert.deepEqual(ids(alerts), ['iso.failed-sign-ins']);
    assert.deepEqual(alerts[0]!.group, { source: 'webapp', 'actor.id': 'alice' });
    assert.deepEqual(alerts[0]!.seqs, [0, 1, 2, 3, 4]);
    assert.equal(alerts[0]!.severity, 'high');
  });

  it("Evident's own failed sign-ins count too (session.sign_in from source evident)", () => {
    const ev = pack();
    const s = new EntryStream();
    const alerts = alertsOf(
      ev,
      [0, 1, 2, 3, 4].map((i) =>
        s.next({
          atMs: MONDAY_10 + i * SEC,
          source: 'evident',
          actor: { id: 'ada@example.com', type: 'anonymous', ip: '192.0.2.1' },
          action: 'session.sign_in',
          outcome: 'failure',
        }),
      ),
    );
    assert.deepEqual(ids(alerts), ['iso.failed-sign-ins']);
  });

  it('sign-in success after three failures (iso.sign-in-after-failures)', () => {
    const ev = pack();
    const s = new EntryStream();
    const at = (outcome: string, i: number) =>
      s.next({
        atMs: MONDAY_10 + i * SEC,
        source: 'evident',
        actor: { id: 'bob', type: 'person', ip: '192.0.2.2' },
        action: 'session.sign_in',
        outcome,
      });
    const alerts = alertsOf(ev, [
      at('failure', 0),
      at('failure', 1),
      at('failure', 2),
      at('success', 3),
    ]);
    assert.deepEqual(ids(alerts), ['iso.sign-in-after-failures']);
  });

  it('password spraying: failures for ten accounts from one address', () => {
    const ev = pack();
    const s = new EntryStream();
    const alerts = alertsOf(
      ev,
      Array.from({ length: 10 }, (_, i) =>
        s.next({
          atMs: MONDAY_10 + i * SEC,
          actor: { id: `user-${i}`, ip: '203.0.113.9' },
          action: 'auth.sign_in',
          outcome: 'failure',
        }),
      ),
    );
    assert.deepEqual(ids(alerts), ['iso.password-spraying']);
  });

  it('a role grant, then the grantee reading restricted data, each raise', () => {
    const ev = pack();
    const s = new EntryStream();
    const grant = s.next({
      atMs: MONDAY_10,
      source: 'evident',
      actor: { id: 'root', type: 'person' },
      action: 'principal.role_grant',
      target: { type: 'principal', id: 'carol' },
      extra: { category: 'iam' },
    });
    const read = s.next({
      atMs: MONDAY_10 + 60 * SEC,
      source: 'crm',
      actor: { id: 'carol', type: 'user' },
      action: 'customer.read',
      target: { type: 'customer', id: 'c-1', sensitivity: 'restricted' },
    });
    assert.deepEqual(ids(ev.evaluate(grant)), ['iso.role-grant']);
    assert.deepEqual(ids(ev.evaluate(read)), ['iso.grant-then-restricted-access']);
  });

  it('restricted access off hours raises; in working hours it does not', () => {
    const ev = pack();
    const s = new EntryStream();
    const read = (atMs: number, actor: string) =>
      s.next({
        atMs,
        actor: { id: actor },
        target: { id: 'payroll', sensitivity: 'restricted' },
      });
    assert.deepEqual(ev.evaluate(read(MONDAY_10, 'dave')), []);
    const saturday = Date.parse('2026-11-28T10:00:00.000Z');
    assert.deepEqual(ids(ev.evaluate(read(saturday, 'dave'))), ['iso.restricted-off-hours']);
    // Suppressed for an hour per actor.
    assert.deepEqual(ev.evaluate(read(saturday + 60 * SEC, 'dave')), []);
  });

  it('bulk exports and bulk reads by one actor', () => {
    const ev = pack();
    const s = new EntryStream();
    const exports = Array.from({ length: 20 }, (_, i) =>
      s.next({
        atMs: MONDAY_10 + i * SEC,
        source: 'evident',
        actor: { id: 'auditor-1', type: 'person' },
        action: 'audit_log.export',
        target: { type: 'audit_log', id: 'log' },
      }),
    );
    assert.deepEqual(ids(alertsOf(ev, exports)), ['iso.bulk-exports']);
    const reads = Array.from({ length: 500 }, (_, i) =>
      s.next({
        atMs: MONDAY_10 + i * 100,
        source: 'crm',
        actor: { id: 'eve' },
        action: 'customer.read',
        target: { id: `c-${i}` },
      }),
    );
    const alerts = alertsOf(ev, reads);
    assert.deepEqual(ids(alerts), ['iso.bulk-reads']);
    assert.equal(alerts[0]!.seqs.length, 500);
  });

  it("changes to Evident's settings, rules, keys and retention raise; listing keys does not", () => {
    const ev = pack();
    const s = new EntryStream();
    const admin = (action: string, actor = 'root') =>
      s.next({ atMs: MONDAY_10, source: 'evident', actor: { id: actor }, action });
    for (const action of [
      'settings.update',
      'rules.update',
      'log_key.rotate',
      'ingest_key.create',
      'retention.update',
    ]) {
      assert.deepEqual(ids(ev.evaluate(admin(action))), ['iso.evident-config-change'], action);
    }
    assert.deepEqual(ev.evaluate(admin('ingest_key.list', 'other')), []);
    // A source of its own named "settings.update" is not Evident's configuration.
    assert.deepEqual(
      ev.evaluate(s.next({ atMs: MONDAY_10, source: 'crm', action: 'settings.update' })),
      [],
    );
  });

  it('a service credential from a new network after its learning week', () => {
    const ev = pack();
    const s = new EntryStream();
    const call = (atMs: number, ip: string) =>
      s.next({ atMs, source: 'billing', actor: { id: 'svc-billing', type: 'service', ip } });
    const WEEK = 7 * 86_400_000;
    assert.deepEqual(
      alertsOf(ev, [call(MONDAY_10, '10.1.1.1'), call(MONDAY_10 + WEEK - 1, '10.2.2.2')]),
      [],
    );
    assert.deepEqual(ev.evaluate(call(MONDAY_10 + WEEK, '10.1.1.77')), []);
    assert.deepEqual(ids(ev.evaluate(call(MONDAY_10 + WEEK + 1, '10.3.3.3'))), ['iso.new-network']);
    // People roam; the rule watches credentials of machines.
    assert.deepEqual(
      ev.evaluate(
        s.next({
          atMs: MONDAY_10 + WEEK + 2,
          source: 'billing',
          actor: { id: 'u-9', type: 'user', ip: '10.9.9.9' },
        }),
      ),
      [],
    );
  });

  it('a burst of denied requests, not counting denied sign-ins', () => {
    const ev = pack();
    const s = new EntryStream();
    const denied = (i: number, action: string) =>
      s.next({ atMs: MONDAY_10 + i * SEC, actor: { id: 'mallory' }, action, outcome: 'denied' });
    assert.deepEqual(
      alertsOf(
        ev,
        Array.from({ length: 30 }, (_, i) => denied(i, 'auth.sign_in')),
      ),
      [],
    );
    const alerts = alertsOf(
      ev,
      Array.from({ length: 10 }, (_, i) => denied(100 + i, 'invoice.read')),
    );
    assert.deepEqual(ids(alerts), ['iso.denied-burst']);
  });
});
