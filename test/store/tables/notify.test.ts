import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Delivery } from '../../../src/monitor/notify/queue.js';
import { isUniqueViolation } from '../../../src/store/sql/query-runner.js';
import type { Store } from '../../../src/store/store.js';
import {
  deleteAllDeliveries,
  deliveriesIn,
  deliveryById,
  dueDeliveries,
  insertDelivery,
  nextAttemptAfter,
  replaceDelivery,
} from '../../../src/store/tables/notify/deliveries-table.js';
import {
  settingsRow,
  writeSettingsRow,
} from '../../../src/store/tables/notify/notification-settings-table.js';
import { STORES } from '../../support/stores.js';

const T0 = 1_800_000_000_000;

function delivery(id: string, overrides: Partial<Delivery> = {}): Delivery {
  return {
    id,
    channelId: 'ops',
    message: {
      event: 'alert.raised',
      alert: { id: `alert-${id}` } as Delivery['message']['alert'],
      links: {} as Delivery['message']['links'],
    },
    createdAtMs: T0,
    attempts: 0,
    nextAttemptAtMs: T0,
    history: [],
    replays: 0,
    ...overrides,
  };
}

const SETTINGS = {
  allowInternal: [],
  channels: [],
  delivery: { maxAttempts: 3, timeoutMs: 1000, backoffInitialMs: 10, backoffMaxMs: 100 },
};

for (const factory of STORES) {
  describe(`notification tables (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());
    beforeEach(async () => {
      await deleteAllDeliveries(store.state);
    });

    it('keeps a delivery as one row: inserted queued, read back whole, ids unique', async () => {
      const d = delivery('01A', {
        lease: { owner: 'p1', untilMs: T0 + 5 },
        history: [{ atMs: T0, ok: false, status: 500, error: 'HTTP 500', durationMs: 3 }],
      });
      await insertDelivery(store.state, d, T0);
      const stored = await deliveryById(store.state, '01A');
      assert.deepEqual(stored, {
        id: '01A',
        value: d,
        status: 'queued',
        version: 1,
        updatedAtMs: T0,
      });
      await assert.rejects(insertDelivery(store.state, delivery('01A'), T0), (e) =>
        isUniqueViolation(e),
      );
    });

    it('moves between states with one conditional update; a stale version changes nothing', async () => {
      await insertDelivery(store.state, delivery('01B'), T0);
      const at = { id: '01B', status: 'queued' as const, version: 1 };
      const done = delivery('01B', { attempts: 1, outcome: 'dead', finishedAtMs: T0 + 9 });
      done.history = [{ atMs: T0 + 9, ok: false, error: 'refused', durationMs: 1 }];
      assert.equal(await replaceDelivery(store.state, at, done, T0 + 9), true);
      assert.equal(await replaceDelivery(store.state, at, delivery('01B'), T0 + 10), false);
      const stored = (await deliveryById(store.state, '01B'))!;
      assert.equal(stored.status, 'dead');
      assert.equal(stored.version, 2);
      assert.deepEqual(stored.value, done);
      assert.deepEqual(await deliveriesIn(store.state, 'queued', { limit: 10 }), []);
      assert.deepEqual(
        (await deliveriesIn(store.state, 'dead', { limit: 10 })).map((d) => d.id),
        ['01B'],
      );
    });

    it('pages one state newest first by keyset', async () => {
      for (const id of ['01C1', '01C2', '01C3', '01C4', '01C5']) {
        await insertDelivery(store.state, delivery(id), T0);
      }
      const first = await deliveriesIn(store.state, 'queued', { limit: 2 });
      assert.deepEqual(
        first.map((d) => d.id),
        ['01C5', '01C4'],
      );
      const next = await deliveriesIn(store.state, 'queued', { before: '01C4', limit: 2 });
      assert.deepEqual(
        next.map((d) => d.id),
        ['01C3', '01C2'],
      );
    });

    it('finds what is due: soonest first, never one under a live claim, paged by (time, id)', async () => {
      await insertDelivery(store.state, delivery('01D1', { nextAttemptAtMs: T0 + 20 }), T0);
      await insertDelivery(store.state, delivery('01D2', { nextAttemptAtMs: T0 + 10 }), T0);
      await insertDelivery(store.state, delivery('01D3', { nextAttemptAtMs: T0 + 10 }), T0);
      await insertDelivery(store.state, delivery('01D4', { nextAttemptAtMs: T0 + 99 }), T0);
      const held = delivery('01D5', { lease: { owner: 'p', untilMs: T0 + 50 } });
      await insertDelivery(store.state, held, T0);
      const expired = delivery('01D6', { lease: { owner: 'p', untilMs: T0 + 5 } });
      await insertDelivery(store.state, expired, T0);
      const due = await dueDeliveries(store.state, T0 + 20, undefined, 10);
      assert.deepEqual(
        due.map((d) => d.id),
        ['01D6', '01D2', '01D3', '01D1'],
      );
      const page = await dueDeliveries(store.state, T0 + 20, { atMs: T0 + 10, id: '01D2' }, 10);
      assert.deepEqual(
        page.map((d) => d.id),
        ['01D3', '01D1'],
      );
      assert.equal(await nextAttemptAfter(store.state, T0 + 20), T0 + 99);
      assert.equal(await nextAttemptAfter(store.state, T0 + 99), undefined);
    });

    it('keeps the settings as one row, replaced by version', async () => {
      assert.equal(await settingsRow(store.state), undefined);
      assert.equal(await writeSettingsRow(store.state, SETTINGS, 0, T0), true);
      await assert.rejects(writeSettingsRow(store.state, SETTINGS, 0, T0), (e) =>
        isUniqueViolation(e),
      );
      const changed = { ...SETTINGS, allowInternal: ['10.0.0.0/8'] };
      assert.equal(await writeSettingsRow(store.state, changed, 1, T0 + 1), true);
      assert.equal(await writeSettingsRow(store.state, SETTINGS, 1, T0 + 2), false, 'stale');
      assert.deepEqual(await settingsRow(store.state), {
        settings: changed,
        version: 2,
        updatedAtMs: T0 + 1,
      });
    });

    it('refuses to read settings of the wrong shape', async () => {
      await store
        .transaction(async (tx) => {
          await tx.run(
            tx.db
              .updateTable('notification_settings')
              .set({ settings: '{"channels":"none"}' })
              .where('id', '=', 'current'),
          );
          await assert.rejects(
            settingsRow(tx),
            /notification settings does not have the expected shape/,
          );
          throw new Error('roll back');
        })
        .catch((e: Error) => assert.equal(e.message, 'roll back'));
      assert.ok(await settingsRow(store.state), 'rolled back');
    });
  });
}
