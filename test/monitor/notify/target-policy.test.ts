import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deliveryJson } from '../../../src/monitor/notify/delivery-json.js';
import { parseNotificationSettings } from '../../../src/monitor/notify/parse-settings.js';
import { sendWebhook } from '../../../src/monitor/notify/send-webhook.js';
import type { WebhookChannel } from '../../../src/monitor/notify/settings.js';
import { EMPTY_SETTINGS } from '../../../src/monitor/notify/settings.js';
import { NotificationSettingsStore } from '../../../src/monitor/notify/settings-store.js';
import { type Resolver, TargetPolicy } from '../../../src/monitor/notify/target-policy.js';
import { testMessage } from '../../../src/monitor/notify/test-notification.js';
import { call, type TestServer, testServer } from '../../support/test-server.js';
import { T0 } from './fixtures.js';
import { WebhookReceiver } from './receivers.js';

const SECRET = 'whsec_target-policy-secret-0123456789';

describe('webhook targets: internal addresses are refused unless allowed', () => {
  it('classifies loopback, private, link-local, unspecified and their IPv6 disguises as internal', () => {
    const policy = new TargetPolicy();
    const internal = [
      '127.0.0.1',
      '127.255.0.9',
      '::1',
      '0.0.0.0',
      '0.1.2.3',
      '::',
      '10.0.0.1',
      '172.16.0.1',
      '172.31.255.254',
      '192.168.1.1',
      '169.254.169.254',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      '100.64.0.1',
      '224.0.0.1',
      'ff02::1',
      '255.255.255.255',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:10.0.0.1',
      '::ffff:169.254.169.254',
      '::7f00:1',
      '64:ff9b::7f00:1',
      '2002:7f00:1::1',
    ];
    for (const address of internal) {
      assert.match(policy.refusal('h', address) ?? 'allowed', /allow_internal/, address);
    }
    for (const address of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '172.32.0.1']) {
      assert.equal(policy.refusal('h', address), undefined, address);
    }
  });

  it('allows exactly what allow_internal lists: CIDRs, addresses and host names', () => {
    const policy = new TargetPolicy([
      '10.20.0.0/16',
      '127.0.0.1',
      'Hooks.Corp.Internal',
      'fd00:1::/64',
    ]);
    assert.equal(policy.refusal('x', '10.20.3.4'), undefined);
    assert.equal(policy.refusal('x', '::ffff:10.20.3.4'), undefined, 'the mapped form too');
    assert.equal(policy.refusal('x', '127.0.0.1'), undefined);
    assert.equal(policy.refusal('x', 'fd00:1::5'), undefined);
    assert.equal(policy.refusal('hooks.corp.internal.', '10.9.9.9'), undefined);
    assert.match(policy.refusal('x', '10.21.0.1')!, /private/);
    assert.match(policy.refusal('x', '127.0.0.2')!, /loopback/);
    assert.match(policy.refusal('x', 'fd00:2::1')!, /unique local/);
  });

  describe('when saved', () => {
    const refused = [
      'http://127.0.0.1:9000/hook',
      'http://[::1]/hook',
      'http://10.0.0.5/hook',
      'http://172.16.3.4/hook',
      'http://192.168.0.10/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://[fc00::1]/hook',
      'http://[::ffff:127.0.0.1]/hook',
      'http://2130706433/hook',
      'http://0x7f.1/hook',
      'http://0.0.0.0/hook',
      'http://localhost:8080/hook',
      'http://api.localhost/hook',
    ];
    for (const url of refused) {
      it(`refuses ${url} naming the field`, () => {
        assert.throws(
          () => parseNotificationSettings({ channels: [{ type: 'webhook', id: 'x', url }] }),
          (error: { path?: string; message: string }) =>
            error.path === '$.channels[0].url' && /allow_internal/.test(error.message),
        );
      });
    }

    it('accepts them when allow_internal lists them, and refuses a malformed list', () => {
      const parsed = parseNotificationSettings({
        allow_internal: ['127.0.0.1', '10.0.0.0/8', 'localhost'],
        channels: [
          { type: 'webhook', id: 'a', url: 'http://127.0.0.1:9000/hook' },
          { type: 'webhook', id: 'b', url: 'http://10.1.2.3/hook' },
          { type: 'webhook', id: 'c', url: 'http://localhost/hook' },
        ],
      });
      assert.deepEqual(parsed.allowInternal, ['127.0.0.1', '10.0.0.0/8', 'localhost']);
      for (const [value, path] of [
        ['10.0.0.0/8', '$.allow_internal'],
        [['10.0.0.0/33'], '$.allow_internal[0]'],
        [['not a host'], '$.allow_internal[0]'],
        [[42], '$.allow_internal[0]'],
      ] as const) {
        assert.throws(
          () => parseNotificationSettings({ allow_internal: value, channels: [] }),
          (error: { path?: string }) => error.path === path,
          JSON.stringify(value),
        );
      }
    });
  });

  describe('at connect time', () => {
    let receiver: WebhookReceiver;
    let port: string;
    const channel = (url: string): WebhookChannel => ({
      type: 'webhook',
      id: 'ops',
      enabled: true,
      minSeverity: 'low',
      url,
      format: 'json',
      secret: SECRET,
    });
    const send = (url: string, allowInternal: string[], resolve?: Resolver) =>
      sendWebhook(
        channel(url),
        {
          id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
          message: testMessage(EMPTY_SETTINGS, 'x', T0),
          createdAtMs: T0,
        },
        { nowMs: T0, timeoutMs: 5000, allowInternal, ...(resolve ? { resolve } : {}) },
      );

    before(async () => {
      receiver = await WebhookReceiver.start(SECRET, () => T0);
      port = new URL(receiver.url).port;
    });
    after(async () => receiver.close());

    it('refuses a name that resolves to 127.0.0.1 (localhost, by the system resolver)', async () => {
      const result = await send(`http://localhost:${port}/hook`, []);
      assert.equal(result.ok, false);
      assert.match(
        result.error!,
        /^refused: localhost resolves to 127\.0\.0\.1 is a loopback address/,
      );
      assert.equal(receiver.requests.length, 0, 'no connection was made');
    });

    it('refuses a public-looking name re-pointed at loopback after it was saved (DNS rebinding)', async () => {
      // Saved while it pointed elsewhere: the save-time check cannot see names.
      parseNotificationSettings({
        channels: [{ type: 'webhook', id: 'x', url: `http://hooks.example.com:${port}/hook` }],
      });
      const rebound: Resolver = (_host, callback) =>
        callback(null, [
          { address: '93.184.216.34', family: 4 },
          { address: '127.0.0.1', family: 4 },
        ]);
      const result = await send(`http://hooks.example.com:${port}/hook`, [], rebound);
      assert.equal(result.ok, false);
      assert.match(result.error!, /hooks\.example\.com resolves to 127\.0\.0\.1 is a loopback/);
      assert.equal(receiver.requests.length, 0);
    });

    it('refuses a literal internal address before connecting', async () => {
      const result = await send(`http://127.0.0.1:${port}/hook`, []);
      assert.match(result.error!, /^refused: 127\.0\.0\.1 is a loopback address/);
      const mapped = await send(`http://[::ffff:127.0.0.1]:${port}/hook`, []);
      assert.match(mapped.error!, /^refused: .* is a loopback address/);
      assert.equal(receiver.requests.length, 0);
    });

    it('delivers to an internal receiver allow_internal lists, by address or by name', async () => {
      const byAddress = await send(`http://127.0.0.1:${port}/hook`, ['127.0.0.0/8']);
      assert.equal(byAddress.ok, true, byAddress.error);
      const byName = await send(`http://localhost:${port}/hook`, ['localhost']);
      assert.equal(byName.ok, true, byName.error);
      const viaResolver = await send(
        `http://hooks.example.com:${port}/hook`,
        ['127.0.0.1'],
        (_h, cb) => cb(null, [{ address: '127.0.0.1', family: 4 }]),
      );
      assert.equal(viaResolver.ok, true, 'the guarded lookup is the one the connection uses');
      assert.equal(receiver.requests.length, 3);
    });
  });

  it('never shows a receiver body an older version stored in the delivery history', () => {
    const doc = {
      id: 'd',
      version: 1,
      updatedAtMs: T0,
      value: {
        id: 'd',
        channelId: 'ops',
        message: testMessage(EMPTY_SETTINGS, 'x', T0),
        createdAtMs: T0,
        attempts: 1,
        nextAttemptAtMs: T0,
        replays: 0,
        history: [
          {
            atMs: T0,
            ok: false,
            status: 403,
            error: 'HTTP 403: {"secret":"internal"}',
            durationMs: 1,
          },
        ],
      },
    };
    const shown = deliveryJson(doc, 'dead', T0);
    assert.equal(shown.last_error, 'HTTP 403 Forbidden');
    assert.ok(!JSON.stringify(shown).includes('internal'));
  });

  describe('through the API', () => {
    let t: TestServer;
    let receiver: WebhookReceiver;

    before(async () => {
      t = await testServer();
      receiver = await WebhookReceiver.start(
        SECRET,
        () => t.clock.now(),
        () => 500,
      );
    });
    after(async () => {
      await receiver.close();
      await t.close();
    });

    it('PUT refuses internal webhook URLs by default, and accepts them once allowed', async () => {
      for (const url of [
        'http://127.0.0.1:1/x',
        'http://[::1]/x',
        'http://169.254.169.254/x',
        'http://[fc00::1]/x',
      ]) {
        const res = await call(t, 'PUT', '/api/v1/settings/notifications', t.admin, {
          channels: [{ type: 'webhook', id: 'x', url }],
        });
        assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
        assert.equal(res.json().error.path, '$.channels[0].url');
      }
      const allowed = await call(t, 'PUT', '/api/v1/settings/notifications', t.admin, {
        allow_internal: ['127.0.0.1'],
        channels: [{ type: 'webhook', id: 'x', url: receiver.url, secret: SECRET }],
      });
      assert.equal(allowed.statusCode, 200, allowed.body);
      assert.deepEqual(allowed.json().allow_internal, ['127.0.0.1']);
    });

    it('a test send answers the status and a short reason, never the receiver body', async () => {
      const res = await call(t, 'POST', '/api/v1/notifications/test', t.admin, { channel: 'x' });
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().results[0].error, 'HTTP 500 Internal Server Error');
      assert.equal(res.json().results[0].status, 500);
      assert.ok(!res.body.includes('answer 500'), 'the receiver wrote "answer 500"');
    });

    it('a test send to a stored name that now resolves to loopback is refused at connect time', async () => {
      // As if saved before this check existed: straight into the store.
      const port = new URL(receiver.url).port;
      const store = new NotificationSettingsStore(t.log.store, t.secrets);
      const current = await store.read();
      await store.replace(
        {
          allowInternal: [],
          channels: [
            {
              type: 'webhook',
              id: 'old',
              enabled: true,
              minSeverity: 'low',
              url: `http://localhost:${port}/hook`,
              format: 'json',
              secret: SECRET,
              regenerateSecret: false,
            },
          ],
          delivery: current.settings.delivery,
        },
        t.clock.now(),
      );
      const before = receiver.requests.length;
      const res = await call(t, 'POST', '/api/v1/notifications/test', t.admin, { channel: 'old' });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().results[0].ok, false);
      assert.match(res.json().results[0].error, /refused: localhost resolves to 127\.0\.0\.1/);
      assert.equal(receiver.requests.length, before);
    });
  });
});
