import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { event, type TestServer, testServer } from '../support/test-server.js';

function assertHardened(res: LightMyRequestResponse, what: string): void {
  assert.equal(res.headers['x-content-type-options'], 'nosniff', what);
  assert.equal(res.headers['cache-control'], 'no-store', what);
  assert.equal(res.headers['referrer-policy'], 'no-referrer', what);
  assert.equal(
    res.headers['content-security-policy'],
    "default-src 'none'; frame-ancestors 'none'",
    what,
  );
}

/** Every answer — success, error, public or not — carries the same security headers. */
describe('HTTP API: security headers', () => {
  let t: TestServer;

  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  it('on a created ingest key (a secret shown once)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: { source: 'billing-api' },
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.match(res.json().key, /^evk_/);
    assertHardened(res, 'key creation');
  });

  it('on a created API token and on generated webhook secrets', async () => {
    const token = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...(await t.principal({ roles: ['auditor'] })).headers },
      payload: { label: 'laptop' },
    });
    assert.equal(token.statusCode, 201, token.body);
    assertHardened(token, 'token creation');
    const settings = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/settings/notifications',
      headers: t.admin,
      payload: {
        channels: [{ id: 'soc', type: 'webhook', url: 'https://hooks.example.com/evident' }],
      },
    });
    assert.equal(settings.statusCode, 200, settings.body);
    assert.equal(typeof settings.json().generated_secrets.soc, 'string');
    assertHardened(settings, 'settings with a generated secret');
  });

  it('on a failed sign-in, a 401, a 404, a bad body and the public endpoints', async () => {
    const ingest = await t.ingestKey('billing-api');
    const answers = await Promise.all([
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { name: 'nobody', password: 'wrong password here' },
      }),
      t.app.inject({ method: 'GET', url: '/api/v1/whoami' }),
      t.app.inject({ method: 'GET', url: '/api/v1/no-such-route' }),
      t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...ingest, 'content-type': 'application/json' },
        payload: '{"time":',
      }),
      t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...ingest, 'content-type': 'application/json' },
        payload: JSON.stringify(event()),
      }),
      t.app.inject({ method: 'GET', url: '/healthz' }),
      t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' }),
      t.app.inject({ method: 'GET', url: '/api/v1/log/keys' }),
    ]);
    assert.deepEqual(
      answers.map((r) => r.statusCode),
      [401, 401, 404, 400, 201, 200, 200, 200],
    );
    for (const res of answers) assertHardened(res, `${res.statusCode} ${res.body.slice(0, 80)}`);
  });
});
