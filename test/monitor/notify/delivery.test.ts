import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { alertJson, apiLinks } from '../../../src/monitor/notify/alert-view.js';
import { startNotifier } from '../../../src/monitor/notify/notifier.js';
import { parseNotificationSettings } from '../../../src/monitor/notify/parse-settings.js';
import { DeliveryQueue } from '../../../src/monitor/notify/queue.js';
import { EMPTY_SETTINGS } from '../../../src/monitor/notify/settings.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import { DeliveryWorker } from '../../../src/monitor/notify/worker.js';
import type { Store } from '../../../src/store/store.js';
import { deleteAllDeliveries } from '../../../src/store/tables/notify/deliveries-table.js';
import { ManualClock } from '../../../src/util/clock.js';
import { ulidGenerator } from '../../../src/util/ids.js';
import { STORES } from '../../support/stores.js';
import { alert, T0, TEST_SECRETS } from './fixtures.js';
import { type Behaviour, WebhookReceiver } from './receivers.js';

const SECRET = 'whsec_receiver-shared-secret-0123456789';

for (const factory of STORES) {
  describe(`notifications: webhook delivery (${factory.name})`, { timeout: 120_000 }, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    let clock: ManualClock;
    let queue: DeliveryQueue;
    const receivers: WebhookReceiver[] = [];
    const stops: (() => Promise<void>)[] = [];

    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());
    beforeEach(async () => {
      clock = new ManualClock(T0);
      queue = new DeliveryQueue(store, ulidGenerator());
      // Each test starts from an empty queue.
      await deleteAllDeliveries(store.state);
    });
    afterEach(async () => {
      for (const stop of stops.splice(0)) await stop();
      for (const r of receivers.splice(0)) await r.close();
    });

    const receiver = async (behaviour?: Behaviour) => {
      const r = await WebhookReceiver.start(SECRET, () => clock.now(), behaviour);
      receivers.push(r);
      return r;
    };
    const configure = async (
      channels: Record<string, unknown>[],
      delivery: Record<string, number> = {},
    ) => {
      await new NotificationSettingsStore(store, TEST_SECRETS).replace(
        parseNotificationSettings({
          public_url: 'https://evident.example.com',
          allow_internal: ['127.0.0.1'], // the test receivers listen on loopback
          channels: channels.map((c) => ({ type: 'webhook', secret: SECRET, ...c })),
          delivery: { max_attempts: 5, backoff_initial_ms: 1000, timeout_ms: 5000, ...delivery },
        }),
        clock.now(),
      );
    };
    const notifier = (options: { channelConcurrency?: number; autoStart?: boolean } = {}) => {
      const n = startNotifier({
        secrets: TEST_SECRETS,
        store,
        clock,
        random: () => 0, // the shortest jittered delay: half the exponential step
        autoStart: false,
        ...options,
      });
      stops.push(() => n.stop());
      return n;
    };

    it('sends a signed JSON webhook that the receiver verifies; a replayed request is refused', async () => {
      const r = await receiver();
      await configure([{ id: 'ops', url: r.url }]);
      const n = notifier();
      const [id] = await n.onRaised(alert());
      assert.equal(r.requests.length, 0, 'queuing contacts no receiver');
      assert.equal((await queue.get('queued', id!))?.value.attempts, 0);

      const pass = await n.runOnce();
      assert.deepEqual(pass.started, [id]);
      await pass.settled;
      assert.equal(r.requests.length, 1);
      const got = r.requests[0]!;
      assert.deepEqual(got.verification, { ok: true, timestamp: Math.floor(T0 / 1000) });
      assert.equal(got.headers['evident-delivery'], id);
      assert.equal(got.headers['evident-event'], 'alert.raised');
      assert.equal(got.headers['content-type'], 'application/json');
      const body = JSON.parse(got.body);
      assert.equal(body.type, 'alert.raised');
      assert.equal(body.id, id);
      assert.equal(body.alert.title, 'Repeated failed sign-ins for u-1');
      assert.equal(
        body.links.entries,
        'https://evident.example.com/api/v1/log/entries?start=10&end=15',
      );
      const delivered = await queue.get('delivered', id!);
      assert.equal(delivered?.value.attempts, 1);
      assert.equal(delivered?.value.history[0]?.status, 204);
      assert.equal(await queue.get('queued', id!), undefined);

      // An attacker who captured the request replays it: byte for byte within the window the
      // receiver acknowledges without acting twice; later, or altered, it is refused.
      const replay = (body: string) =>
        fetch(r.url, {
          method: 'POST',
          headers: {
            'evident-signature': String(got.headers['evident-signature']),
            'evident-delivery': String(got.headers['evident-delivery']),
            'content-type': 'application/json',
          },
          body,
        });
      assert.equal((await replay(got.body)).status, 200);
      assert.equal(r.processed.size, 1);
      assert.equal((await replay(got.body.replace('high', 'low'))).status, 401);
      assert.deepEqual(r.requests.at(-1)!.verification, { ok: false, reason: 'mismatch' });
      clock.advance(301_000);
      assert.equal((await replay(got.body)).status, 401);
      assert.deepEqual(r.requests.at(-1)!.verification, { ok: false, reason: 'outside_tolerance' });
    });

    it('retries a receiver that fails with back-off, signing each attempt afresh, until it recovers', async () => {
      const r = await receiver((n) => (n < 2 ? 500 : 204));
      await configure([{ id: 'ops', url: r.url }]);
      const n = notifier();
      const [id] = await n.onRaised(alert());

      await (await n.runOnce()).settled;
      let queued = (await queue.get('queued', id!))!.value;
      assert.equal(queued.attempts, 1);
      assert.equal(queued.nextAttemptAtMs, T0 + 500, 'first retry after 1000 ms × jitter ½');
      // The status only: the receiver's body ("answer 500") is never read or kept.
      assert.equal(queued.history[0]!.error, 'HTTP 500 Internal Server Error');

      assert.deepEqual((await n.runOnce()).started, [], 'not due yet');
      clock.advance(500);
      await (await n.runOnce()).settled;
      queued = (await queue.get('queued', id!))!.value;
      assert.equal(queued.attempts, 2);
      assert.equal(queued.nextAttemptAtMs, clock.now() + 1000, 'the step doubles');

      clock.advance(999);
      assert.deepEqual((await n.runOnce()).started, []);
      clock.advance(1);
      await (await n.runOnce()).settled;
      const delivered = (await queue.get('delivered', id!))!.value;
      assert.equal(delivered.attempts, 3);
      assert.deepEqual(
        delivered.history.map((h) => h.status),
        [500, 500, 204],
      );
      assert.equal(r.requests.length, 3);
      assert.ok(r.requests.every((q) => q.verification.ok && q.headers['evident-delivery'] === id));
      assert.deepEqual(
        r.requests.map((q) => q.verification.ok && q.verification.timestamp),
        [T0, T0 + 500, T0 + 1500].map((ms) => Math.floor(ms / 1000)),
      );
    });

    it('gives up on a receiver that hangs after the attempt timeout, and retries it later', async () => {
      const r = await receiver(() => 'hang');
      await configure([{ id: 'slow', url: r.url }], { timeout_ms: 200 });
      const n = notifier();
      const [id] = await n.onRaised(alert());
      const pass = await n.runOnce();
      await r.next();
      assert.equal(r.hangingCount, 1);
      await pass.settled;
      const queued = (await queue.get('queued', id!))!.value;
      assert.equal(queued.attempts, 1);
      assert.equal(queued.lease, undefined);
      assert.equal(queued.history[0]!.error, 'no answer within 200 ms');
      assert.equal(queued.nextAttemptAtMs, T0 + 500);
    });

    it('keeps delivering to other receivers while one hangs', async () => {
      const slow = await receiver(() => 'hang');
      const fast = await receiver();
      // The hanging channel may hold one attempt at a time; the timeout is far away.
      await configure(
        [
          { id: 'slow', url: slow.url },
          { id: 'fast', url: fast.url, min_severity: 'high' },
        ],
        { timeout_ms: 60_000 },
      );
      const n = notifier({ channelConcurrency: 1 });
      const [slowFirst] = await n.onRaised(alert({ severity: 'low' }));
      const first = await n.runOnce();
      assert.deepEqual(first.started, [slowFirst]);
      await slow.next();

      const ids = await n.onRaised(alert({ severity: 'critical' }));
      assert.equal(ids.length, 2);
      const second = await n.runOnce();
      assert.equal(second.started.length, 1, "the hanging channel's slot is taken");
      const fastId = second.started[0]!;
      // The fast receiver may already have answered (PostgreSQL reads are slower than the
      // loopback round trip): the delivery is then in 'delivered', where it only ever moves.
      const fastDoc = (await queue.get('queued', fastId)) ?? (await queue.get('delivered', fastId));
      assert.equal(fastDoc?.value.channelId, 'fast');
      await second.settled;
      assert.ok(await queue.get('delivered', fastId), 'delivered while the other hangs');
      assert.equal(slow.hangingCount, 1);

      // Stopping aborts the hanging attempt: it is recorded and retried later, not lost.
      await n.stop();
      await first.settled;
      const aborted = (await queue.get('queued', slowFirst!))!.value;
      assert.equal(aborted.history[0]!.error, 'interrupted: the notifier stopped');
      assert.equal(aborted.lease, undefined);
    });

    it('dead-letters a delivery after its last attempt; a replay sends it again', async () => {
      let fixed = false;
      const r = await receiver(() => (fixed ? 204 : 503));
      await configure([{ id: 'ops', url: r.url }], { max_attempts: 3, backoff_max_ms: 4000 });
      const n = notifier();
      const [id] = await n.onRaised(alert());
      for (let i = 0; i < 3; i++) {
        await (await n.runOnce()).settled;
        clock.advance(4000);
      }
      assert.equal(await queue.get('queued', id!), undefined);
      const dead = (await queue.get('dead', id!))!.value;
      assert.equal(dead.attempts, 3);
      assert.equal(dead.outcome, 'dead');
      assert.deepEqual(
        dead.history.map((h) => h.status),
        [503, 503, 503],
      );
      assert.deepEqual((await n.runOnce()).started, [], 'a dead letter is not retried by itself');

      fixed = true;
      const replayed = await queue.replay(id!, clock.now());
      assert.equal(replayed?.replays, 1);
      assert.equal(await queue.get('dead', id!), undefined);
      const pass = await n.runOnce();
      assert.deepEqual(pass.started, [id]);
      await pass.settled;
      const delivered = (await queue.get('delivered', id!))!.value;
      assert.equal(delivered.attempts, 1);
      assert.equal(delivered.history.length, 4, 'the dead attempts stay in the history');
      assert.equal(await queue.replay(id!, clock.now()), undefined, 'only dead letters replay');
    });

    it('sends a Slack-compatible body on a slack channel, signed like any other', async () => {
      const r = await receiver();
      await configure([{ id: 'chat', url: r.url, format: 'slack' }]);
      const n = notifier();
      await n.onRaised(alert());
      await (await n.runOnce()).settled;
      const got = r.requests[0]!;
      assert.equal(got.verification.ok, true);
      const body = JSON.parse(got.body) as { text: string; blocks: { type: string }[] };
      assert.deepEqual(Object.keys(body).sort(), ['blocks', 'text']);
      assert.match(body.text, /^\[HIGH\] Repeated failed sign-ins for u-1 — https:\/\/evident/);
      assert.equal(body.blocks[0]!.type, 'header');
    });

    it('sends only to channels whose minimum severity the alert reaches, and none disabled', async () => {
      const r = await receiver();
      await configure([
        { id: 'all', url: r.url },
        { id: 'critical-only', url: r.url, min_severity: 'critical' },
        { id: 'off', url: r.url, enabled: false },
      ]);
      const n = notifier();
      const high = await n.onRaised(alert({ severity: 'high' }));
      const critical = await n.onRaised(alert({ severity: 'critical' }));
      const channelOf = async (id: string) => (await queue.get('queued', id))!.value.channelId;
      assert.deepEqual(await Promise.all(high.map(channelOf)), ['all']);
      assert.deepEqual((await Promise.all(critical.map(channelOf))).sort(), [
        'all',
        'critical-only',
      ]);
    });

    it('abandons queued deliveries of a removed channel to the dead letters', async () => {
      const r = await receiver();
      await configure([{ id: 'gone', url: r.url }]);
      const n = notifier();
      const [id] = await n.onRaised(alert());
      await configure([]);
      assert.deepEqual((await n.runOnce()).started, []);
      const dead = (await queue.get('dead', id!))!.value;
      assert.equal(dead.attempts, 0);
      assert.equal(dead.history[0]!.error, 'channel "gone" no longer exists');
      assert.equal(r.requests.length, 0);
    });

    it('does not dead-letter a delivery whose channel was added after a pass read its settings', async () => {
      const r = await receiver();
      await configure([{ id: 'new', url: r.url }]);
      const settings = new NotificationSettingsStore(store, TEST_SECRETS);
      let reads = 0;
      const worker = new DeliveryWorker({
        queue,
        clock,
        // The pass began before the channel was saved: its first read has no channels.
        settings: async () => (reads++ === 0 ? EMPTY_SETTINGS : (await settings.read()).settings),
      });
      const message = {
        event: 'alert.raised' as const,
        alert: alertJson(alert()),
        links: apiLinks('')(alert()),
      };
      const id = await queue.enqueue('new', message, clock.now());
      assert.deepEqual((await worker.runOnce()).started, []);
      assert.ok(await queue.get('queued', id), 'still queued, not dead');
      const pass = await worker.runOnce();
      assert.deepEqual(pass.started, [id]);
      await pass.settled;
      assert.ok(await queue.get('delivered', id));
    });

    it('queues alerts without waiting for receivers, even while they hang', async () => {
      const r = await receiver(() => 'hang');
      await configure([{ id: 'slow', url: r.url }], { timeout_ms: 60_000 });
      // The real sending loop, as the server runs it; one attempt in flight per channel, so
      // the first (hanging) request holds the only slot.
      const n = notifier({ autoStart: true, channelConcurrency: 1 });
      const [first] = await n.onRaised(alert());
      await r.next();
      assert.equal(r.hangingCount, 1);
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(...(await n.onRaised(alert({ title: `alert ${i}` }))));
      // Every enqueue finished while the receiver still holds its first request open.
      assert.equal(r.hangingCount, 1);
      assert.equal(ids.length, 20);
      for (const id of ids) assert.ok(await queue.get('queued', id));
      assert.ok(await queue.get('queued', first!));
    });
  });
}
