import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  type SourceHealth,
  startSourceHealth,
} from '../../../src/monitor/sources/source-health.js';
import type { QueryRunner } from '../../../src/store/sql/query-runner.js';
import { event, START_MS, type TestServer, testServer } from '../../support/test-server.js';
import { auditFor, Feeder, ingest, MemorySink, selfEvents } from './support.js';

const MAX = 15 * 60_000;

/**
 * Silent sources at the edge (issue #5 item 6): quiet for exactly the limit is fine, one
 * millisecond more raises one alert; later checks raise nothing more for the same silence;
 * the next event appends `source.recovered`. The clock is the test's.
 */
describe('silent sources', () => {
  let t: TestServer;
  let sink: MemorySink;
  let health: SourceHealth;
  let feeder: Feeder;
  let billing: { authorization: string };

  before(async () => {
    t = await testServer();
    billing = await t.ingestKey('billing-api');
  });
  after(async () => {
    await health.stop();
    await t.close();
  });
  beforeEach(() => {
    sink = new MemorySink();
    // No default: only the sources a test declares are watched.
    health = startSourceHealth({
      store: t.log.store,
      sink,
      audit: auditFor(t),
      clock: t.clock,
      schedule: false,
      settings: { defaultMaxSilenceMs: null },
    });
    feeder = new Feeder(t.log.store, health.observer);
  });

  it('raises once one millisecond past the limit, and only once per silence', async () => {
    await health.registry.declare(
      'billing-api',
      { maxSilenceMs: MAX, description: null },
      'test',
      t.clock.now(),
    );
    t.clock.set(START_MS + 1000);
    const { seq } = await ingest(
      t,
      billing,
      event({ time: new Date(t.clock.now()).toISOString() }),
    );
    await feeder.feed();
    const lastMs = START_MS + 1000;

    t.clock.set(lastMs + MAX);
    assert.deepEqual(await health.check(), { checked: 1, silent: [], raised: [] });
    assert.equal(sink.calls, 0);

    t.clock.set(lastMs + MAX + 1);
    assert.deepEqual(await health.check(), {
      checked: 1,
      silent: ['billing-api'],
      raised: ['billing-api'],
    });
    assert.equal(sink.alerts.length, 1);
    const alert = sink.alerts[0]!;
    assert.equal(alert.key, `source.silent:billing-api:${lastMs}`);
    assert.equal(alert.ruleId, 'source.silent');
    assert.deepEqual(alert.sources, ['billing-api']);
    assert.deepEqual(alert.seqs, []);
    assert.equal(alert.triggeredAtMs, lastMs + MAX + 1);
    assert.match(alert.description!, new RegExp(`seq ${seq}\\).*every 15m`));

    const silentEvents = await selfEvents(t.log.store, 'source.silent');
    assert.equal(silentEvents.length, 1);
    assert.equal(silentEvents[0]!.target.id, 'billing-api');
    assert.equal(silentEvents[0]!.details.last_seq, seq);
    assert.equal(silentEvents[0]!.details.silent_since, new Date(lastMs).toISOString());

    // Later checks of the same silence: no second raise, not even a call the sink drops.
    for (const later of [1, 60_000, 10 * MAX]) {
      t.clock.set(lastMs + MAX + later);
      const report = await health.check();
      assert.deepEqual(report.raised, []);
      assert.deepEqual(report.silent, ['billing-api']);
    }
    assert.equal(sink.calls, 1);
    assert.equal((await selfEvents(t.log.store, 'source.silent')).length, 1);
  });

  it('records the recovery when events arrive again, and a new silence raises anew', async () => {
    const backAt = t.clock.now() + 5000;
    t.clock.set(backAt);
    const { seq } = await ingest(
      t,
      billing,
      event({ time: new Date(t.clock.now()).toISOString() }),
    );
    await feeder.feed();
    const recovered = await selfEvents(t.log.store, 'source.recovered');
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0]!.actor.type, 'system');
    assert.equal(recovered[0]!.target.id, 'billing-api');
    assert.equal(recovered[0]!.details.first_seq, seq);
    assert.equal(recovered[0]!.details.alert_id, 'alert-0');
    assert.equal(recovered[0]!.details.silent_since, new Date(START_MS + 1000).toISOString());

    // Feeding the same entries again (the engine crashed before saving its position).
    feeder.position = seq;
    await feeder.feed();
    assert.equal((await selfEvents(t.log.store, 'source.recovered')).length, 1);

    t.clock.set(backAt + MAX);
    assert.deepEqual((await health.check()).raised, []);
    t.clock.set(backAt + MAX + 1);
    assert.deepEqual((await health.check()).raised, ['billing-api']);
    assert.equal(sink.alerts[0]!.key, `source.silent:billing-api:${backAt}`);
  });

  it('counts a declared source that never sent anything from its declaration', async () => {
    const declaredAt = t.clock.now();
    await health.registry.declare(
      'payroll',
      { maxSilenceMs: MAX, description: null },
      'test',
      declaredAt,
    );
    t.clock.set(declaredAt + MAX);
    assert.ok(!(await health.check()).silent.includes('payroll'));
    t.clock.set(declaredAt + MAX + 1);
    assert.ok((await health.check()).raised.includes('payroll'));
    const alert = sink.alerts.find((a) => a.sources[0] === 'payroll')!;
    assert.equal(alert.key, `source.silent:payroll:${declaredAt}`);
    assert.match(alert.description!, /since it was registered/);
  });

  it('asks the log, not only its statistics, before calling a source silent', async () => {
    const hr = await t.ingestKey('hr-api');
    const at = t.clock.now();
    await health.registry.declare('hr-api', { maxSilenceMs: MAX, description: null }, 'test', at);
    await ingest(t, hr, event({ time: new Date(t.clock.now()).toISOString() }));
    await feeder.feed();
    t.clock.set(at + MAX - 1);
    await ingest(t, hr, event({ time: new Date(t.clock.now()).toISOString() }));
    // Not fed: the engine lags behind the log.
    t.clock.set(at + MAX + 1);
    assert.ok(!(await health.check()).silent.includes('hr-api'));
    assert.equal(sink.alerts.filter((a) => a.sources[0] === 'hr-api').length, 0);
    await feeder.feed();
  });

  it('leaves unmonitored sources alone', async () => {
    const ops = await t.ingestKey('ops-api');
    await health.registry.declare(
      'ops-api',
      { maxSilenceMs: null, description: null },
      'test',
      t.clock.now(),
    );
    await ingest(t, ops, event({ time: new Date(t.clock.now()).toISOString() }));
    await feeder.feed();
    t.clock.advance(400 * 86_400_000);
    const report = await health.check();
    assert.ok(!report.silent.includes('ops-api'));
    assert.ok(!report.silent.includes('evident'));
  });
});

/**
 * A crash between the steps of raising or ending a silence (simulated by a store write that
 * fails once) is retried by the next check or the engine's replay, and every fact still
 * lands in the log exactly once: alerts by key, events by a deterministic id.
 */
describe('silent sources across a crash between steps', () => {
  let t: TestServer;
  let sink: MemorySink;
  let health: SourceHealth;
  let feeder: Feeder;
  let key: { authorization: string };
  /** State-table writes to let through before one fails; -1: none fails. */
  let failAfter = -1;

  before(async () => {
    t = await testServer();
    key = await t.ingestKey('billing-api');
    const real = t.log.store;
    const state: QueryRunner = {
      dialect: real.state.dialect,
      db: real.state.db,
      all: (query) => real.state.all(query),
      first: (query) => real.state.first(query),
      run: async (query) => {
        if (failAfter === 0) {
          failAfter = -1;
          throw new Error('simulated crash');
        }
        if (failAfter > 0) failAfter--;
        return real.state.run(query);
      },
    };
    const store = new Proxy(real, {
      get(target, prop) {
        if (prop === 'state') return state;
        const value = Reflect.get(target, prop);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    sink = new MemorySink();
    health = startSourceHealth({
      store,
      sink,
      audit: auditFor(t),
      clock: t.clock,
      schedule: false,
      settings: { defaultMaxSilenceMs: null },
    });
    feeder = new Feeder(t.log.store, health.observer);
  });
  after(async () => {
    await health.stop();
    await t.close();
  });

  it('records the silence once when the check dies after raising', async () => {
    const at = t.clock.now();
    await health.registry.declare(
      'billing-api',
      { maxSilenceMs: MAX, description: null },
      'test',
      at,
    );
    await ingest(t, key, event({ time: new Date(at).toISOString() }));
    await feeder.feed();
    t.clock.set(at + MAX + 1);
    // Marking the silence is let through; remembering the raised alert's id fails.
    failAfter = 1;
    await assert.rejects(health.check(), /simulated crash/);
    assert.equal(sink.alerts.length, 1);
    t.clock.advance(30_000);
    assert.deepEqual((await health.check()).silent, ['billing-api']);
    assert.deepEqual((await health.check()).silent, ['billing-api']);
    assert.equal(sink.alerts.length, 1);
    assert.equal((await selfEvents(t.log.store, 'source.silent')).length, 1);
  });

  it('records the recovery once when the engine replays after a crash', async () => {
    await feeder.feed();
    t.clock.advance(60_000);
    await ingest(t, key, event({ time: new Date(t.clock.now()).toISOString() }));
    const position = feeder.position;
    // The event is appended; writing the statistics fails, so the engine does not move on.
    failAfter = 0;
    await assert.rejects(feeder.feed(), /simulated crash/);
    feeder.position = position;
    // Replayed later: the event's time differs, so the id is met as a conflict, not a twin.
    t.clock.advance(1000);
    await feeder.feed();
    const recovered = await selfEvents(t.log.store, 'source.recovered');
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0]!.details.alert_id, 'alert-0');
    assert.equal(
      (await t.app.inject({ url: '/api/v1/sources/billing-api', headers: t.admin })).json().status,
      'ok',
    );
  });
});
