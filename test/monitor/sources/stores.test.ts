import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { describe, it } from 'node:test';
import { validateSubmittedRecord } from '../../../src/core/record/validate.js';
import { type OpenLog, openLog } from '../../../src/log/open-log.js';
import { SelfAudit } from '../../../src/log/self-audit.js';
import { startSourceHealth } from '../../../src/monitor/sources/source-health.js';
import { SourceStatsStore } from '../../../src/monitor/sources/stats-store.js';
import { ManualClock } from '../../../src/util/clock.js';
import { freshPgSchema, PG_ENABLED } from '../../support/stores.js';
import { event, START_MS, tempDir } from '../../support/test-server.js';
import { Feeder, MemorySink, selfEvents } from './support.js';

const MAX = 15 * 60_000;

/** Where a log for this test lives: the SQLite default, and PostgreSQL when configured. */
const TARGETS = [
  { name: 'sqlite', open: async () => ({ databaseUrl: undefined, drop: async () => {} }) },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          open: async () => {
            const target = await freshPgSchema();
            const url = new URL(target.url);
            url.searchParams.set('schema', target.schema);
            return { databaseUrl: url.toString(), drop: target.drop };
          },
        },
      ]
    : []),
];

for (const target of TARGETS) {
  describe(`source health on ${target.name}`, () => {
    it('counts, raises a silence once, records the recovery, and keeps it all across a restart', async () => {
      const dir = tempDir();
      const { databaseUrl, drop } = await target.open();
      const clock = new ManualClock(START_MS);
      const open = () => openLog({ dataDir: dir, databaseUrl, clock });
      const append = async (log: OpenLog) => {
        const time = new Date(clock.now()).toISOString();
        const record = validateSubmittedRecord(event({ time }), '$', {
          boundSource: 'billing-api',
        });
        return (await log.sequencer.append([record], 'billing-api')).entries[0]!.seq;
      };
      const sink = new MemorySink();
      let log = await open();
      try {
        const start = (l: OpenLog) =>
          startSourceHealth({
            store: l.store,
            sink,
            audit: new SelfAudit(l.sequencer, l.origin, clock),
            clock,
            schedule: false,
            settings: { defaultMaxSilenceMs: null },
          });
        let health = start(log);
        await health.registry.declare(
          'billing-api',
          { maxSilenceMs: MAX, description: null },
          'test',
          clock.now(),
        );
        let feeder = new Feeder(log.store, health.observer);
        await append(log);
        const last = await append(log);
        await feeder.feed();
        const lastMs = clock.now();

        clock.set(lastMs + MAX);
        assert.deepEqual((await health.check()).silent, []);
        clock.set(lastMs + MAX + 1);
        assert.deepEqual((await health.check()).raised, ['billing-api']);
        assert.deepEqual((await health.check()).raised, []);
        assert.equal(sink.alerts.length, 1);
        assert.equal(sink.alerts[0]!.key, `source.silent:billing-api:${lastMs}`);
        assert.equal(sink.alerts[0]!.description!.includes(`seq ${last}`), true);

        // Restart: a new process, the same database.
        await health.stop();
        await log.close();
        log = await open();
        health = start(log);
        feeder = new Feeder(log.store, health.observer);
        feeder.position = last + 1;
        assert.deepEqual((await health.check()).raised, [], 'the silence is remembered');
        assert.equal((await health.registry.get('billing-api'))!.origin, 'declared');
        const stats = (await new SourceStatsStore(log.store).get('billing-api'))!;
        assert.equal(stats.total, 2);
        assert.equal(stats.lastSeq, last);
        assert.equal(stats.silence?.sinceMs, lastMs);

        clock.advance(1000);
        const back = await append(log);
        await feeder.feed();
        const recovered = await selfEvents(log.store, 'source.recovered');
        assert.equal(recovered.length, 1);
        assert.equal(recovered[0]!.details.first_seq, back);
        assert.equal(recovered[0]!.details.alert_id, 'alert-0');
        await health.stop();
      } finally {
        await log.close();
        await drop();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
