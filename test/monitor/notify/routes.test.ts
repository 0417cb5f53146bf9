import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Grant } from '../../../src/access/principal.js';
import { startNotifier } from '../../../src/monitor/notify/notifier.js';
import { registeredRoutes } from '../../../src/server/app.js';
import { freePort } from '../../support/processes.js';
import { call, type TestServer, testServer } from '../../support/test-server.js';
import { alert } from './fixtures.js';
import { WebhookReceiver } from './receivers.js';

const SECRET = 'whsec_given-secret-0123456789abcdef';
const SMTP_PASSWORD = 'smtp-password-never-shown';

describe('HTTP API: notification settings, tests and dead letters', () => {
  let t: TestServer;
  let ok: WebhookReceiver;
  let broken: WebhookReceiver;
  let generated: string;
  let closedPort: number;
  const as: Record<'reviewer' | 'admin' | 'auditor', { authorization: string }> = {
    reviewer: { authorization: '' },
    admin: { authorization: '' },
    auditor: { authorization: '' },
  };

  before(async () => {
    t = await testServer();
    closedPort = await freePort();
    ok = await WebhookReceiver.start(SECRET, () => t.clock.now());
    broken = await WebhookReceiver.start(
      SECRET,
      () => t.clock.now(),
      () => 500,
    );
    const tokenFor = async (name: string, grants: Grant[]) => {
      const { authorization } = await t.principal({
        id: `acct-${name}`,
        name,
        roles: grants,
        tokenTtlMs: 3_600_000,
      });
      return { authorization };
    };
    as.reviewer = await tokenFor('reviewer', [{ role: 'reviewer', sources: ['billing-*'] }]);
    as.admin = await tokenFor('admin', [{ role: 'admin' }]);
    as.auditor = await tokenFor('auditor', [{ role: 'auditor' }]);
  });
  after(async () => {
    await ok.close();
    await broken.close();
    await t.close();
  });

  const settings = () => ({
    public_url: 'https://evident.example.com',
    allow_internal: ['127.0.0.1'], // the test receivers listen on loopback
    channels: [
      { type: 'webhook', id: 'ops', url: ok.url, secret: SECRET },
      { type: 'webhook', id: 'broken', url: broken.url, secret: SECRET, format: 'slack' },
      { type: 'webhook', id: 'made', url: `http://127.0.0.1:${closedPort}/never` },
      {
        type: 'email',
        id: 'soc',
        enabled: false,
        smtp: { host: 'mail.example.com', username: 'evident', password: SMTP_PASSWORD },
        from: 'evident@example.com',
        to: ['soc@example.com'],
      },
    ],
    delivery: { max_attempts: 1, timeout_ms: 5000 },
  });
  const logText = async () => {
    const head = await t.log.store.head();
    return (await t.log.store.entries(0, head!.size)).map((e) => e.record).join('\n');
  };
  const auditEvents = async (action: string) =>
    (await logText())
      .split('\n')
      .map(
        (r) =>
          JSON.parse(r) as {
            action: string;
            actor: { id: string };
            details?: Record<string, unknown>;
          },
      )
      .filter((r) => r.action === action);

  it('saves settings, generates a missing webhook secret once, and never shows secrets again', async () => {
    const empty = await call(t, 'GET', '/api/v1/settings/notifications', t.admin);
    assert.equal(empty.statusCode, 200);
    assert.deepEqual(empty.json().channels, []);
    assert.equal(empty.json().version, 0);

    const put = await call(t, 'PUT', '/api/v1/settings/notifications', as.admin, settings());
    assert.equal(put.statusCode, 200, put.body);
    const saved = put.json();
    assert.equal(saved.version, 1);
    assert.deepEqual(Object.keys(saved.generated_secrets), ['made']);
    generated = saved.generated_secrets.made;
    assert.match(generated, /^whsec_[A-Za-z0-9_-]{43}$/);

    const shown = await call(t, 'GET', '/api/v1/settings/notifications', as.admin);
    assert.equal(shown.statusCode, 200);
    for (const secret of [SECRET, generated, SMTP_PASSWORD])
      assert.ok(!shown.body.includes(secret));
    const channels = shown.json().channels as Record<string, unknown>[];
    assert.deepEqual(
      channels.map((c) => [
        c.id,
        c.secret_set ?? (c.smtp as { password_set: boolean }).password_set,
      ]),
      [
        ['ops', true],
        ['broken', true],
        ['made', true],
        ['soc', true],
      ],
    );

    // What GET shows can be sent back unchanged: the secrets stay as they were.
    const again = await call(t, 'PUT', '/api/v1/settings/notifications', as.admin, shown.body);
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json().generated_secrets, {});

    const updates = await auditEvents('settings.update');
    assert.equal(updates.length, 2);
    assert.equal(updates[0]!.actor.id, 'acct-admin');
    assert.deepEqual(updates[0]!.details, {
      setting: 'notifications',
      version: 1,
      channels: ['ops', 'broken', 'made', 'soc'],
      allow_internal: ['127.0.0.1'],
      secrets_changed: ['ops', 'broken', 'made', 'soc'],
    });
    assert.deepEqual(updates[1]!.details!.secrets_changed, []);
    const text = await logText();
    for (const secret of [SECRET, generated, SMTP_PASSWORD]) assert.ok(!text.includes(secret));
  });

  it('refuses bad settings with a 400 and a path, stale versions with a 409, others with a 403', async () => {
    const bad = await call(t, 'PUT', '/api/v1/settings/notifications', as.admin, {
      channels: [{ type: 'webhook', id: 'x', url: 'mailto:ops@example.com' }],
    });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, '$.channels[0].url');
    const notJson = await call(
      t,
      'PUT',
      '/api/v1/settings/notifications',
      as.admin,
      '{"channels":',
    );
    assert.equal(notJson.statusCode, 400);
    const stale = await call(t, 'PUT', '/api/v1/settings/notifications', as.admin, {
      ...settings(),
      version: 1,
    });
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().error.code, 'conflict');
    for (const who of [as.reviewer, as.auditor]) {
      assert.equal((await call(t, 'GET', '/api/v1/settings/notifications', who)).statusCode, 403);
      const put = await call(t, 'PUT', '/api/v1/settings/notifications', who, settings());
      assert.equal(put.statusCode, 403);
    }
    const key = await t.ingestKey('billing-api');
    assert.equal((await call(t, 'GET', '/api/v1/settings/notifications', key)).statusCode, 403);
  });

  it('sends a test notification on request and reports each channel', async () => {
    const res = await call(t, 'POST', '/api/v1/notifications/test', as.admin, { channel: 'ops' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      res
        .json()
        .results.map((r: { channel: string; ok: boolean; status: number }) => [
          r.channel,
          r.ok,
          r.status,
        ]),
      [['ops', true, 204]],
    );
    const got = ok.requests.at(-1)!;
    assert.equal(got.verification.ok, true);
    assert.equal(got.headers['evident-event'], 'notification.test');
    assert.equal(JSON.parse(got.body).type, 'notification.test');

    const all = await call(t, 'POST', '/api/v1/notifications/test', as.admin);
    assert.equal(all.statusCode, 200, all.body);
    const byChannel = Object.fromEntries(
      all.json().results.map((r: { channel: string; ok: boolean }) => [r.channel, r.ok]),
    );
    assert.deepEqual(byChannel, { ops: true, broken: false, made: false }, 'soc is paused');
    assert.equal(
      (await call(t, 'POST', '/api/v1/notifications/test', as.admin, { channel: 'nope' }))
        .statusCode,
      404,
    );
    assert.equal(
      (await call(t, 'POST', '/api/v1/notifications/test', as.admin, { chanel: 'ops' })).json()
        .error.path,
      'chanel',
    );
    const tests = await auditEvents('notification.test');
    assert.deepEqual(tests.at(-1)!.details, {
      channels: ['ops', 'broken', 'made'],
      failed: ['broken', 'made'],
    });
  });

  it('lists dead letters to the notification managers only, without receiver bodies, and replays them, audited', async () => {
    const notifier = startNotifier({
      store: t.log.store,
      secrets: t.secrets,
      clock: t.clock,
      autoStart: false,
    });
    await notifier.onRaised(alert({ sources: ['billing-api'], title: 'billing alert' }));
    await notifier.onRaised(alert({ sources: ['hr-api'], title: 'hr alert' }));
    await (await notifier.runOnce()).settled;
    await notifier.stop();

    const dead = await call(t, 'GET', '/api/v1/notifications/dead-letters', as.admin);
    assert.equal(dead.statusCode, 200, dead.body);
    const letters = dead.json().deliveries as {
      id: string;
      channel: string;
      status: string;
      alert: { title: string };
      last_error: string;
    }[];
    assert.deepEqual(letters.map((d) => [d.channel, d.alert.title, d.status]).sort(), [
      ['broken', 'billing alert', 'dead'],
      ['broken', 'hr alert', 'dead'],
      ['made', 'billing alert', 'dead'],
      ['made', 'hr alert', 'dead'],
    ]);
    // The status and its standard phrase; never what the receiver wrote ("answer 500").
    assert.equal(
      letters.find((d) => d.channel === 'broken')!.last_error,
      'HTTP 500 Internal Server Error',
    );
    assert.ok(!dead.body.includes('answer 500'), 'no receiver body is stored or shown');
    assert.match(letters.find((d) => d.channel === 'made')!.last_error, /ECONNREFUSED/);
    assert.equal(dead.json().next_cursor, null);

    // Alert readers (even unscoped) do not read delivery details: they are for the managers.
    for (const reader of [as.reviewer, as.auditor]) {
      for (const url of ['dead-letters', 'deliveries?status=dead']) {
        const res = await call(t, 'GET', `/api/v1/notifications/${url}`, reader);
        assert.equal(res.statusCode, 403, res.body);
      }
    }
    const paged = await call(t, 'GET', '/api/v1/notifications/dead-letters?limit=3', as.admin);
    assert.equal(paged.json().deliveries.length, 3);
    const rest = await call(
      t,
      'GET',
      `/api/v1/notifications/dead-letters?limit=3&cursor=${paged.json().next_cursor}`,
      as.admin,
    );
    assert.equal(rest.json().deliveries.length, 1);
    assert.equal(rest.json().next_cursor, null);
    const ids = [...paged.json().deliveries, ...rest.json().deliveries].map(
      (d: { id: string }) => d.id,
    );
    assert.deepEqual(
      ids,
      letters.map((d) => d.id),
    );

    const target = letters.find(
      (d) => d.alert.title === 'billing alert' && d.channel === 'broken',
    )!;
    const replayUrl = `/api/v1/notifications/dead-letters/${target.id}/replay`;
    assert.equal((await call(t, 'POST', replayUrl, as.reviewer)).statusCode, 403);
    const replayed = await call(t, 'POST', replayUrl, as.admin);
    assert.equal(replayed.statusCode, 202, replayed.body);
    assert.equal(replayed.json().delivery.status, 'queued');
    assert.equal(replayed.json().delivery.replays, 1);
    assert.equal((await call(t, 'POST', replayUrl, as.admin)).statusCode, 404);
    assert.equal(
      (await call(t, 'POST', '/api/v1/notifications/dead-letters/nope/replay', as.admin))
        .statusCode,
      400,
    );
    const queued = await call(t, 'GET', '/api/v1/notifications/deliveries?status=queued', as.admin);
    assert.deepEqual(
      queued.json().deliveries.map((d: { id: string }) => d.id),
      [target.id],
    );
    assert.equal(
      (await call(t, 'GET', '/api/v1/notifications/deliveries?status=lost', as.admin)).statusCode,
      400,
    );
    const replays = await auditEvents('notification.replay');
    assert.equal(replays.length, 1);
    assert.equal(replays[0]!.actor.id, 'acct-admin');
    assert.deepEqual(replays[0]!.details, {
      channel: 'broken',
      alert_id: '01JD8X7Q6R3T9V2W4Y5Z6A7B8C',
      replays: 1,
    });
  });

  it('describes every notification route in the OpenAPI document', async () => {
    const doc = (await call(t, 'GET', '/api/v1/openapi.json', {})).json();
    const routes = registeredRoutes(t.app).filter(
      (r) => r.url.includes('notifications') && r.method !== 'HEAD',
    );
    assert.equal(routes.length, 6);
    for (const r of routes) {
      const path = r.url.replace(/:(\w+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${path}`);
    }
    assert.ok(doc.components.schemas.Delivery);
  });
});
