import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ALL_SOURCES } from '../../../src/access/authorization/source-scope.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import { raiseSeq } from '../../../src/monitor/alerts/alert.js';
import { MONITOR_ACTOR } from '../../../src/monitor/alerts/alert-events.js';
import { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import type { Notifier } from '../../../src/monitor/notify/notifier.js';
import { claimAlertKey } from '../../../src/store/tables/alerts/alert-keys-table.js';
import { type TestServer, testServer } from '../../support/test-server.js';
import { alertEvents, alertService, assertStormStored, newAlert, stormAlerts } from './support.js';

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
    const stored = await a.service.page({ filter: {}, scope: ALL_SOURCES, limit: 10 });
    assert.equal(stored.alerts.length, 1);
    const [id] = [...ids];
    assert.equal((await alertEvents(t, id!)).length, 1);
    assert.equal(a.raised.length + b.raised.length, 1, 'notified once');
    assert.notEqual(raiseSeq((await a.service.get(id!))!.value), null);
  });

  it('raises a storm of 1,200 in one call: each once, with its rows and one event each', async () => {
    const { service, raised } = alertService(t);
    const storm = stormAlerts(1200, 'storm');
    // A key twice in one call is raised once; the repeat answers with the same id.
    const results = await service.raiseAll([...storm, storm[7]!]);
    assert.equal(results.filter((r) => r.created).length, 1200);
    assert.deepEqual(results[1200], { id: results[7]!.id, created: false });
    assert.equal(new Set(results.map((r) => r.id)).size, 1200);
    assert.equal(raised.length, 1200, 'each new alert notified once');
    const ids = results.slice(0, 1200).map((r) => r.id);
    await assertStormStored(service, storm, ids);
    for (const id of [ids[0]!, ids[599]!, ids[1199]!]) {
      assert.deepEqual(
        (await alertEvents(t, id)).map((e) => e.record.action),
        ['alert.raise'],
      );
    }
    // Raised again (the engine re-evaluating after a restart), with some new keys among them.
    const again = await service.raiseAll([
      ...storm.slice(0, 700),
      ...stormAlerts(1300, 'storm').slice(1200),
    ]);
    assert.deepEqual(
      again.slice(0, 700).map((r) => r.id),
      ids.slice(0, 700),
    );
    assert.equal(again.filter((r) => r.created).length, 100);
    assert.equal(raised.length, 1300);
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

describe('AlertService: a step and its event commit together', () => {
  let t: TestServer;
  beforeEach(async () => {
    t = await testServer();
  });
  afterEach(async () => {
    await t.close();
  });

  it('a key claimed without its alert (a store migrated from before transactions) gets its alert and event on the next raise', async () => {
    const { service, raised } = alertService(t);
    const { id } = await service.raise(newAlert({ key: 'probe' }));
    // The old two-write raise claimed the key, then the process died before the alert.
    const orphan = '01KB0000000000000000000000';
    assert.ok(await claimAlertKey(t.log.store.state, 'crashed', orphan, t.clock.now()));
    assert.equal(await service.get(orphan), undefined);

    const again = await service.raise(newAlert({ key: 'crashed' }));
    assert.deepEqual(again, { id: orphan, created: false });
    const repaired = (await service.get(orphan))!.value;
    const events = await alertEvents(t, orphan);
    assert.equal(events.length, 1);
    assert.equal(raiseSeq(repaired), events[0]!.seq);
    assert.deepEqual(
      raised.map((a) => a.id),
      [id, orphan],
      'the repair hands the alert to notifications',
    );
  });

  it('a step whose transaction fails leaves neither the step nor its event', async () => {
    const { service } = alertService(t);
    const { id } = await service.raise(newAlert());
    const before = (await service.get(id))!;
    // The append transaction fails after the step was written inside it (a crash, a full disk).
    const audit = new SelfAudit(t.log.sequencer, t.log.origin, t.clock);
    const failing = Object.assign(Object.create(audit) as SelfAudit, {
      recordWithin: (work: Parameters<SelfAudit['recordWithin']>[0]) =>
        audit.recordWithin(async (tx) => {
          await work(tx);
          throw new Error('the disk is full');
        }),
    });
    const broken = new AlertService({ store: t.log.store, audit: failing, clock: t.clock });
    await assert.rejects(broken.handle(id, { action: 'acknowledge' }, REVIEWER));
    const after = (await service.get(id))!;
    assert.deepEqual(after, before, 'the alert is as it was');
    assert.deepEqual(
      (await alertEvents(t, id)).map((e) => e.record.action),
      ['alert.raise'],
      'and the log has no acknowledge',
    );
    // The next step goes through as if the failed one had never been tried.
    const done = await service.handle(id, { action: 'acknowledge' }, REVIEWER);
    assert.deepEqual(
      done.history.map((h) => [h.action, h.seq === null]),
      [
        ['raise', false],
        ['acknowledge', false],
      ],
    );
    const events = await alertEvents(t, id);
    assert.deepEqual(
      events.map((e) => [e.record.action, e.record.actor.id, e.record.actor.ip ?? null]),
      [
        ['alert.raise', 'monitor', null],
        ['alert.acknowledge', 'acct-ada', '10.0.0.9'],
      ],
    );
    assert.deepEqual(
      done.history.map((h) => h.seq),
      events.map((e) => e.seq),
    );
    assert.equal(events[1]!.record.id, done.history[1]!.eventId);
  });

  it('concurrent steps are serial: two acknowledgements make one step and one 409', async () => {
    const { service } = alertService(t);
    const { id } = await service.raise(newAlert());
    const results = await Promise.allSettled([
      service.handle(id, { action: 'acknowledge' }, REVIEWER),
      service.handle(id, { action: 'acknowledge' }, MONITOR_ACTOR),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.equal((refused.reason as { reason?: string }).reason, 'alert_not_in_state');
    assert.deepEqual(
      (await alertEvents(t, id)).map((e) => e.record.action),
      ['alert.raise', 'alert.acknowledge'],
    );
  });
});
