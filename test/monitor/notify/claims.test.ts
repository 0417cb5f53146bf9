import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alertJson, apiLinks } from '../../../src/monitor/notify/alert-view.js';
import { startNotifier } from '../../../src/monitor/notify/notifier.js';
import { parseNotificationSettings } from '../../../src/monitor/notify/parse-settings.js';
import { DeliveryQueue } from '../../../src/monitor/notify/queue.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import { PostgresStore } from '../../../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import type { Store } from '../../../src/store/store.js';
import { ManualClock } from '../../../src/util/clock.js';
import { ulidGenerator } from '../../../src/util/ids.js';
import { freshPgSchema, PG_ENABLED } from '../../support/stores.js';
import { tempDir } from '../../support/test-server.js';
import { alert, T0, TEST_SECRETS } from './fixtures.js';
import { WebhookReceiver } from './receivers.js';

const SECRET = 'whsec_receiver-shared-secret-0123456789';
const DELIVERIES = 40;

/** Two independent connections to one database, as two server processes would hold. */
interface SharedDatabase {
  name: string;
  open(): Promise<{ a: Store; b: Store; close(): Promise<void> }>;
}

const DATABASES: SharedDatabase[] = [
  {
    name: 'sqlite',
    open: async () => {
      const dir = tempDir('evident-claims-');
      const file = join(dir, 'evident.db');
      const a = SqliteStore.open(file);
      const b = SqliteStore.open(file);
      return {
        a,
        b,
        close: async () => {
          await a.close();
          await b.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  ...(PG_ENABLED
    ? [
        {
          name: 'postgresql',
          open: async () => {
            const target = await freshPgSchema();
            const a = await PostgresStore.open(target.url, { schema: target.schema });
            const b = await PostgresStore.open(target.url, { schema: target.schema });
            return {
              a,
              b,
              close: async () => {
                await a.close();
                await b.close();
                await target.drop();
              },
            };
          },
        },
      ]
    : []),
];

for (const db of DATABASES) {
  describe(`notifications: several processes share one queue (${db.name})`, {
    timeout: 120_000,
  }, () => {
    let stores: Awaited<ReturnType<SharedDatabase['open']>>;
    let receiver: WebhookReceiver;
    const clock = new ManualClock(T0);

    before(async () => {
      stores = await db.open();
      receiver = await WebhookReceiver.start(SECRET, () => clock.now());
    });
    after(async () => {
      await receiver.close();
      await stores.close();
    });

    it('sends each delivery once per attempt: claims are compare-and-set', async () => {
      await new NotificationSettingsStore(stores.a, TEST_SECRETS).replace(
        parseNotificationSettings({
          // The receiver listens on loopback: an internal receiver, allowed explicitly.
          allow_internal: ['127.0.0.1'],
          channels: [{ type: 'webhook', id: 'ops', url: receiver.url, secret: SECRET }],
        }),
        clock.now(),
      );
      const options = { clock, autoStart: false, channelConcurrency: DELIVERIES };
      const one = startNotifier({
        secrets: TEST_SECRETS,
        store: stores.a,
        owner: 'process-a',
        ...options,
      });
      const two = startNotifier({
        secrets: TEST_SECRETS,
        store: stores.b,
        owner: 'process-b',
        ...options,
      });
      const queued: string[] = [];
      for (let i = 0; i < DELIVERIES; i++) {
        queued.push(...(await (i % 2 ? one : two).onRaised(alert({ title: `alert ${i}` }))));
      }

      // Both processes look at the same queue at the same moment, twice over.
      const passes = await Promise.all([
        one.runOnce(),
        two.runOnce(),
        one.runOnce(),
        two.runOnce(),
      ]);
      await Promise.all(passes.map((p) => p.settled));
      const started = passes.flatMap((p) => p.started);
      assert.equal(started.length, DELIVERIES, 'every delivery claimed exactly once');
      assert.deepEqual([...new Set(started)].sort(), [...queued].sort());
      const received = receiver.requests.map((r) => String(r.headers['evident-delivery']));
      assert.equal(received.length, DELIVERIES);
      assert.deepEqual([...new Set(received)].sort(), [...queued].sort());

      const queue = new DeliveryQueue(stores.b, ulidGenerator());
      for (const id of queued) assert.equal((await queue.get('delivered', id))?.value.attempts, 1);
      assert.deepEqual(await queue.queuedPage(undefined, 10), []);
      await one.stop();
      await two.stop();
    });

    it('racing claims of the same rows from two connections win once each', async () => {
      const a = new DeliveryQueue(stores.a, ulidGenerator());
      const b = new DeliveryQueue(stores.b, ulidGenerator());
      const message = {
        event: 'alert.raised' as const,
        alert: alertJson(alert()),
        links: apiLinks('')(alert()),
      };
      const ids: string[] = [];
      for (let i = 0; i < 50; i++) ids.push(await a.enqueue('race', message, clock.now()));
      const due = (queue: DeliveryQueue) => queue.duePage(clock.now(), undefined, 500);
      const [seenByA, seenByB] = await Promise.all([due(a), due(b)]);
      const race = (queue: DeliveryQueue, owner: string, seen: typeof seenByA) =>
        Promise.all(
          seen
            .filter((d) => d.value.channelId === 'race')
            .map((d) => queue.claim(d, owner, clock.now(), 60_000)),
        );
      const [wonByA, wonByB] = await Promise.all([race(a, 'a', seenByA), race(b, 'b', seenByB)]);
      const won = [...wonByA, ...wonByB].filter((d) => d !== undefined).map((d) => d.id);
      assert.deepEqual([...won].sort(), [...ids].sort(), 'each row claimed exactly once');
      for (const id of ids) {
        const stored = (await b.get('queued', id))!;
        assert.equal(stored.value.attempts, 1);
        assert.equal(stored.version, 2);
      }
      assert.deepEqual(await due(b), [], 'claimed rows are not due while the lease holds');
    });
  });
}
