/**
 * Two servers on one PostgreSQL log (two stores, two sequencers, two AlertServices): raising
 * and handling stay exactly-once across them, as compare-and-set and event ids promise.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ALL_SOURCES } from '../../../src/access/authorization/source-scope.js';
import { AppError } from '../../../src/errors.js';
import { type OpenLog, openLog } from '../../../src/log/open-log.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import { raiseSeq } from '../../../src/monitor/alerts/alert.js';
import { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import { ManualClock } from '../../../src/util/clock.js';
import { freshPgSchema, PG_ENABLED } from '../../support/stores.js';
import { START_MS, tempDir } from '../../support/test-server.js';
import { assertStormStored, newAlert, stormAlerts } from './support.js';

describe('alerts on one PostgreSQL log shared by two servers', {
  skip: !PG_ENABLED && 'EVIDENT_TEST_PG_URL is not set',
}, () => {
  const clock = new ManualClock(START_MS);
  let dir: string;
  let drop: () => Promise<void>;
  let logs: OpenLog[] = [];
  let services: AlertService[] = [];
  let notified = 0;

  before(async () => {
    const schema = await freshPgSchema();
    drop = schema.drop;
    const db = `${schema.url}${schema.url.includes('?') ? '&' : '?'}schema=${schema.schema}`;
    dir = tempDir('evident-alerts-pg-');
    const first = await openLog({
      dataDir: dir,
      databaseUrl: db,
      origin: 'evident.test/pg',
      clock,
    });
    const second = await openLog({ dataDir: dir, databaseUrl: db, clock });
    logs = [first, second];
    services = logs.map(
      (log) =>
        new AlertService({
          store: log.store,
          audit: new SelfAudit(log.sequencer, log.origin, clock),
          clock,
          onRaised: () => {
            notified++;
          },
        }),
    );
  });
  after(async () => {
    for (const log of logs) await log.close();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const raiseEvents = async (id: string) =>
    (await logs[0]!.store.search({ source: 'evident', target: id, limit: 100 })).map(
      (e) => JSON.parse(e.record).action as string,
    );

  it('raising one key on both at once makes one alert, one event, one notification', async () => {
    const results = await Promise.all(
      [0, 1, 0, 1].map((i) => services[i]!.raise(newAlert({ key: 'pg-1' }))),
    );
    assert.equal(new Set(results.map((r) => r.id)).size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    const id = results[0]!.id;
    const stored = await services[1]!.page({ filter: {}, scope: ALL_SOURCES, limit: 10 });
    assert.equal(stored.alerts.length, 1);
    assert.deepEqual(await raiseEvents(id), ['alert.raise']);
    assert.equal(notified, 1);
    assert.notEqual(raiseSeq((await services[1]!.get(id))!.value), null);
  });

  it('two servers raising overlapping storms at once make each alert once', async () => {
    // 900 keys: the first server raises 0–599, the second 300–899, both at the same time.
    const storm = stormAlerts(900, 'pg-storm');
    const before = notified;
    const [a, b] = await Promise.all([
      services[0]!.raiseAll(storm.slice(0, 600)),
      services[1]!.raiseAll(storm.slice(300)),
    ]);
    const idOf = new Map<string, string>();
    for (const [i, r] of a!.entries()) idOf.set(storm[i]!.key, r.id);
    for (const [i, r] of b!.entries()) {
      const key = storm[300 + i]!.key;
      if (idOf.has(key)) assert.equal(r.id, idOf.get(key), `${key}: one alert on both servers`);
      idOf.set(key, r.id);
    }
    assert.equal(new Set(idOf.values()).size, 900);
    assert.equal([...a!, ...b!].filter((r) => r.created).length, 900);
    assert.equal(notified - before, 900, 'each notified once');
    await assertStormStored(
      services[1]!,
      storm,
      storm.map((s) => idOf.get(s.key)!),
    );
    const events = await logs[0]!.store.search({
      source: 'evident',
      action: 'alert.raise',
      limit: 1000,
    });
    const stormIds = new Set(idOf.values());
    const targets = events
      .map((e) => (JSON.parse(e.record) as { target: { id: string } }).target.id)
      .filter((id) => stormIds.has(id));
    assert.equal(new Set(targets).size, 900);
    assert.equal(targets.length, 900, 'one alert.raise event per alert');
  });

  it('acknowledging on both at once: one wins, the other is a conflict', async () => {
    const { id } = await services[0]!.raise(newAlert({ key: 'pg-2' }));
    const by = { kind: 'person' as const, id: 'acct-rita', name: 'rita' };
    const settled = await Promise.allSettled(
      services.map((s) => s.handle(id, { action: 'acknowledge' }, by)),
    );
    assert.deepEqual(settled.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
    const refused = settled.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    assert.ok(refused.reason instanceof AppError);
    assert.equal(refused.reason.code, 'conflict');
    assert.deepEqual((await raiseEvents(id)).sort(), ['alert.acknowledge', 'alert.raise']);
  });
});
