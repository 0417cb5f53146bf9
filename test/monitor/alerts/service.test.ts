import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { SelfAudit } from '../../../src/log/self-audit.js';
import {
  ALERT_KEY_KIND,
  ALERT_KIND,
  type AlertRecord,
  raiseSeq,
} from '../../../src/monitor/alerts/alert.js';
import { eventFor, MONITOR_ACTOR } from '../../../src/monitor/alerts/alert-events.js';
import { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import type { Notifier } from '../../../src/monitor/notify/notifier.js';
import { type TestServer, testServer } from '../../support/test-server.js';
import { alertEvents, alertService, newAlert } from './support.js';

const REVIEWER = {
  kind: 'person' as const,
  id: 'acct-ada',
  name: 'ada',
  credential: 'token' as const,
  ip: '10.0.0.9',
};

describe('AlertService: raising', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await testServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('stores the alert, appends alert.raise with its facts, and records the seq', async () => {
    const { service, raised } = alertService(t);
    const { id, created } = await service.raise(newAlert());
    assert.equal(created, true);
    const alert = (await service.get(id))!.value;
    assert.equal(alert.state, 'open');
    assert.equal(alert.raisedAtMs, t.clock.now());
    assert.deepEqual(alert.seqs, [8, 9, 10, 11, 12]);

    const events = await alertEvents(t, id);
    assert.equal(events.length, 1);
    const [raise] = events;
    assert.equal(raise!.record.id, id, 'the raise event carries the alert id');
    assert.equal(raise!.record.action, 'alert.raise');
    assert.equal(raise!.record.source, 'evident');
    assert.deepEqual(raise!.record.actor, { id: 'monitor', type: 'system' });
    assert.deepEqual(raise!.record.target, { type: 'alert', id });
    assert.deepEqual(raise!.record.details, {
      rule: 'iso27001.failed_sign_ins',
      severity: 'high',
      title: 'Repeated failed sign-ins for u-1',
      seqs: [8, 9, 10, 11, 12],
      seq_count: 5,
      sources: ['billing-api'],
      triggered_at: '2026-11-22T08:59:59.000Z',
      group: { 'actor.id': 'u-1' },
    });
    assert.equal(raiseSeq(alert), raise!.seq);
    assert.deepEqual(
      raised.map((a) => [a.id, a.state, a.severity]),
      [[id, 'open', 'high']],
    );
  });

  it('is idempotent on the key: the same id, no second event, no second notification', async () => {
    const { service, raised } = alertService(t);
    const first = await service.raise(newAlert());
    t.clock.advance(1000);
    const again = await service.raise(newAlert({ title: 'a re-evaluation after a restart' }));
    assert.deepEqual(again, { id: first.id, created: false });
    assert.equal((await alertEvents(t, first.id)).length, 1);
    assert.equal(raised.length, 1);
    const other = await service.raise(newAlert({ key: 'iso27001.failed_sign_ins:40' }));
    assert.equal(other.created, true);
    assert.ok(other.id > first.id, 'ids sort in raise order');
  });

  it('two processes raising one key at once make one alert and one event', async () => {
    // Two services: two processes with their own id generators on one database.
    const a = alertService(t);
    const b = alertService(t);
    const results = await Promise.all([
      a.service.raise(newAlert()),
      b.service.raise(newAlert()),
      a.service.raise(newAlert()),
    ]);
    const ids = new Set(results.map((r) => r.id));
    assert.equal(ids.size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    const docs = await t.log.store.listState(ALERT_KIND, { limit: 10 });
    assert.equal(docs.length, 1);
    const [id] = [...ids];
    assert.equal((await alertEvents(t, id!)).length, 1);
    assert.equal(a.raised.length + b.raised.length, 1, 'notified once');
    assert.notEqual(raiseSeq((await a.service.get(id!))!.value), null);
  });

  it('keeps the first 1000 seqs, names 100 in the event, and counts them all', async () => {
    const { service } = alertService(t);
    const seqs = Array.from({ length: 1500 }, (_, i) => 1499 - i);
    const { id } = await service.raise(newAlert({ seqs }));
    const alert = (await service.get(id))!.value;
    assert.equal(alert.seqs.length, 1000);
    assert.equal(alert.seqs[0], 0, 'ascending');
    assert.equal(alert.seqCount, 1500);
    const [raise] = await alertEvents(t, id);
    assert.equal((raise!.record.details.seqs as number[]).length, 100);
    assert.equal(raise!.record.details.seq_count, 1500);
  });

  it('a failing onRaised does not fail the raise', async () => {
    const errors: unknown[] = [];
    const service = new AlertService({
      store: t.log.store,
      audit: new SelfAudit(t.log.sequencer, t.log.origin, t.clock),
      clock: t.clock,
      onRaised: () => {
        throw new Error('receiver down');
      },
      onError: (e) => errors.push(e),
    });
    const { created } = await service.raise(newAlert());
    assert.equal(created, true);
    assert.equal(errors.length, 1);
  });

  it("takes a Notifier's onRaised as it is", () => {
    // Type-level: compiles only while the two views stay compatible.
    const notifier: Pick<Notifier, 'onRaised'> = { onRaised: async () => [] };
    const service = new AlertService({
      store: t.log.store,
      audit: new SelfAudit(t.log.sequencer, t.log.origin, t.clock),
      onRaised: notifier.onRaised,
    });
    assert.ok(service);
  });
});

describe('AlertService: crash recovery', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await testServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('a key claimed before a crash gets its alert and event on the next raise', async () => {
    const { service, raised } = alertService(t);
    // The first raise claimed the key, then the process died.
    const { id } = await service.raise(newAlert({ key: 'probe' }));
    const claim = JSON.parse((await t.log.store.getState(ALERT_KEY_KIND, 'probe'))!.value);
    const alert: AlertRecord = { ...claim.alert, key: 'crashed' };
    alert.id = '01KB0000000000000000000000';
    alert.history = [{ ...alert.history[0]!, eventId: alert.id }];
    await t.log.store.putState(
      ALERT_KEY_KIND,
      'crashed',
      JSON.stringify({ alertId: alert.id, alert }),
      0,
      t.clock.now(),
    );
    assert.equal(await t.log.store.getState(ALERT_KIND, alert.id), undefined);

    const again = await service.raise(newAlert({ key: 'crashed' }));
    assert.deepEqual(again, { id: alert.id, created: false });
    const repaired = (await service.get(alert.id))!.value;
    const events = await alertEvents(t, alert.id);
    assert.equal(events.length, 1);
    assert.equal(raiseSeq(repaired), events[0]!.seq);
    assert.deepEqual(
      raised.map((a) => a.id),
      [id, alert.id],
      'the repair hands the alert to notifications',
    );
  });

  it('an event appended before a crash is not appended again; its seq is recorded', async () => {
    const { service } = alertService(t);
    const { id } = await service.raise(newAlert());
    // A step whose document change landed and whose event was appended, but whose seq
    // was never written back.
    const doc = (await t.log.store.getState(ALERT_KIND, id))!;
    const alert = JSON.parse(doc.value) as AlertRecord;
    const step = {
      action: 'acknowledge' as const,
      eventId: '01KB1111111111111111111111',
      seq: null,
      atMs: t.clock.now(),
      by: REVIEWER,
      from: 'open' as const,
      to: 'acknowledged' as const,
    };
    const pending: AlertRecord = {
      ...alert,
      state: 'acknowledged',
      acknowledgedAtMs: t.clock.now(),
      acknowledgedBy: REVIEWER.id,
      history: [...alert.history, step],
    };
    const audit = new SelfAudit(t.log.sequencer, t.log.origin, t.clock);
    const seq = await audit.record(eventFor(pending, step));
    assert.ok(await t.log.store.putState(ALERT_KIND, id, JSON.stringify(pending), doc.version, 0));

    // A second step by someone else: the pending one is completed first, not duplicated.
    t.clock.advance(5000);
    const after = await service.handle(id, { action: 'comment', text: 'looking' }, REVIEWER);
    assert.deepEqual(
      after.history.map((h) => [h.action, h.seq === null]),
      [
        ['raise', false],
        ['acknowledge', false],
        ['comment', false],
      ],
    );
    assert.equal(after.history[1]!.seq, seq);
    const events = await alertEvents(t, id);
    assert.deepEqual(
      events.map((e) => e.record.action),
      ['alert.raise', 'alert.acknowledge', 'alert.comment'],
    );
    assert.deepEqual(
      events.map((e) => e.seq),
      after.history.map((h) => h.seq),
    );
  });

  it('a step whose event never made it is appended by the next writer, in history order', async () => {
    const { service } = alertService(t);
    const { id } = await service.raise(newAlert());
    const doc = (await t.log.store.getState(ALERT_KIND, id))!;
    const alert = JSON.parse(doc.value) as AlertRecord;
    const step = {
      action: 'assign' as const,
      eventId: '01KB2222222222222222222222',
      seq: null,
      atMs: t.clock.now(),
      by: REVIEWER,
      from: 'open' as const,
      to: 'open' as const,
      assignee: 'acct-ada',
    };
    const pending = { ...alert, assignee: 'acct-ada', history: [...alert.history, step] };
    await t.log.store.putState(ALERT_KIND, id, JSON.stringify(pending), doc.version, 0);

    const after = await service.handle(id, { action: 'acknowledge' }, MONITOR_ACTOR);
    const events = await alertEvents(t, id);
    assert.deepEqual(
      events.map((e) => [e.record.action, e.record.actor.id, e.record.actor.ip ?? null]),
      [
        ['alert.raise', 'monitor', null],
        ['alert.assign', 'acct-ada', '10.0.0.9'],
        ['alert.acknowledge', 'monitor', null],
      ],
      'the pending step keeps its own actor and address',
    );
    assert.equal(events[1]!.record.id, step.eventId);
    assert.deepEqual(
      after.history.map((h) => h.seq),
      events.map((e) => e.seq),
    );
  });
});
