import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSignerKey, parseSignerKey } from '../../src/core/note.js';
import { initLog } from '../../src/log/init-log.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import { Sequencer } from '../../src/log/sequencer.js';
import { PurgeScheduler } from '../../src/retention/purge-scheduler.js';
import { PostgresStore } from '../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../src/store/store.js';
import { ManualClock } from '../../src/util/clock.js';
import { ulidGenerator } from '../../src/util/ids.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { setThirtyDayPolicy } from '../support/retention-setup.js';
import { freshPgSchema, PG_ENABLED } from '../support/stores.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

const DAY_MS = 86_400_000;

/** Three stores on one database: the stand-in for three server processes. */
async function threeStores(kind: 'sqlite' | 'postgresql'): Promise<{
  stores: Store[];
  dispose(): Promise<void>;
}> {
  if (kind === 'sqlite') {
    const file = join(tempDir('evident-purge-'), 'evident.db');
    const stores = [SqliteStore.open(file), SqliteStore.open(file), SqliteStore.open(file)];
    return { stores, dispose: async () => void (await Promise.all(stores.map((s) => s.close()))) };
  }
  const target = await freshPgSchema();
  const stores = await Promise.all(
    [0, 1, 2].map(() => PostgresStore.open(target.url, { schema: target.schema, poolSize: 3 })),
  );
  return {
    stores,
    dispose: async () => {
      await Promise.all(stores.map((s) => s.close()));
      await target.drop();
    },
  };
}

const KINDS: ('sqlite' | 'postgresql')[] = PG_ENABLED ? ['sqlite', 'postgresql'] : ['sqlite'];
for (const kind of KINDS) {
  describe(`purge scheduler, three processes (${kind})`, () => {
    let stores: Store[];
    let dispose: () => Promise<void>;
    const clock = new ManualClock(START_MS);
    let sequencers: Sequencer[];

    before(async () => {
      ({ stores, dispose } = await threeStores(kind));
      const signer = parseSignerKey(generateSignerKey(TEST_ORIGIN));
      await Promise.all(stores.map((s) => initLog(s, signer, clock)));
      sequencers = stores.map((s) => new Sequencer(s, signer, TEST_ORIGIN, clock, ulidGenerator()));
    });
    after(async () => dispose());

    it('purges once in bounded batches while appends go on, and the log verifies', async () => {
      for (let day = 0; day < 40; day++) {
        await sequencers[day % 3]!.append(
          [
            {
              time: new Date(clock.now()).toISOString(),
              actor: { id: `u-${day}` },
              action: 'doc.read',
              outcome: 'success',
            },
          ],
          'app',
        );
        clock.advance(DAY_MS);
      }
      // As the API does: the table row and the retention.policy.set event verify replays.
      await setThirtyDayPolicy(new SelfAudit(sequencers[0]!, TEST_ORIGIN, clock), clock.now());
      const schedulers = stores.map(
        (store, i) =>
          new PurgeScheduler({
            store,
            audit: new SelfAudit(sequencers[i]!, TEST_ORIGIN, clock),
            clock,
            batchSize: 3,
            batchPauseMs: 0,
          }),
      );
      // Appends keep arriving while the three race for the purge.
      const appending = Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          sequencers[i % 3]!.append(
            [
              {
                time: new Date(clock.now()).toISOString(),
                actor: { id: 'late' },
                action: 'doc.read',
                outcome: 'success',
              },
            ],
            'app',
          ),
        ),
      );
      const purged = await Promise.all(schedulers.map((s) => s.runNow()));
      await appending;
      // Entries of days 0–9 are older than 30 days (the clock stands at day 40).
      assert.equal(
        purged.reduce((a, b) => a + b, 0),
        10,
      );
      assert.equal(purged.filter((n) => n > 0).length, 1, `one process purged: ${purged}`);
      const events = await stores[1]!.search({
        action: 'retention.purge',
        source: 'evident',
        limit: 100,
      });
      assert.equal(events.length, 4, 'bounded batches of 3: four purge events');
      const report = await verifyStore(stores[2]!);
      assert.deepEqual(report.problems, []);
    });
  });
}
