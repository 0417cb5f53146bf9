import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventRecord } from '../../src/core/record/types.js';
import { call, type TestServer, testServer } from '../support/test-server.js';

const DAY_MS = 24 * 3600 * 1000;

async function selfEvents(t: TestServer, action: string): Promise<EventRecord[]> {
  const entries = await t.log.store.search({ source: 'evident', action, limit: 10_000 });
  return entries.map((e) => JSON.parse(e.record) as EventRecord).reverse();
}

describe('HTTP API: API tokens and whoami', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('makes a token for the caller, shown once, listed without its secret', async () => {
    const me = await t.principal({ roles: ['auditor', 'reviewer'], name: 'maker' });
    const res = await call(t, 'POST', '/api/v1/tokens', me.headers, {
      label: 'laptop',
      roles: ['reviewer'],
      expires_in_days: 30,
    });
    assert.equal(res.statusCode, 201, res.body);
    const made = res.json();
    assert.match(made.token, /^evt_[0-9a-f]{16}_/);
    assert.deepEqual(made.roles, ['reviewer']);
    assert.equal(made.status, 'active');
    assert.equal(made.expires_at, new Date(t.clock.now() + 30 * DAY_MS).toISOString());

    const list = await call(t, 'GET', '/api/v1/tokens', me.headers);
    assert.equal(list.statusCode, 200);
    assert.ok(list.json().tokens.some((x: { id: string }) => x.id === made.id));
    assert.equal(
      list.body.includes(made.token.split('_')[2]),
      false,
      'the secret never comes back',
    );
    assert.doesNotMatch(list.body, /secret/i);

    const who = (await call(t, 'GET', '/api/v1/whoami', bearer(made.token))).json();
    assert.deepEqual(who.roles, [{ role: 'reviewer', sources: null }]);
    assert.equal(who.credential.method, 'token');
    assert.equal(who.credential.token_id, made.id);
    assert.equal(who.credential.expires_at, made.expires_at);

    const event = (await selfEvents(t, 'token.create')).at(-1)!;
    assert.equal(event.actor.id, me.id);
    assert.equal(event.target?.id, made.id);
    assert.deepEqual(event.details?.roles, ['reviewer']);
  });

  it('narrows: a token limited to auditor cannot manage, nor make a wider token', async () => {
    const both = await t.principal({ roles: ['admin', 'auditor'], tokenRoles: ['auditor'] });
    const manage = await call(t, 'POST', '/api/v1/principals', both.headers, {
      kind: 'service',
      name: 'nope',
    });
    assert.equal(manage.statusCode, 403);
    const read = await call(t, 'GET', '/api/v1/events', both.headers);
    assert.equal(read.statusCode, 200);
    const wider = await call(t, 'POST', '/api/v1/tokens', both.headers, { roles: ['admin'] });
    assert.equal(wider.statusCode, 403);
    assert.equal(wider.json().error.path, 'roles[0]');
    // Without roles, a token takes what the calling credential holds: auditor only.
    const same = await call(t, 'POST', '/api/v1/tokens', both.headers, {});
    assert.deepEqual(same.json().roles, ['auditor']);
  });

  it('answers 401 to an expired token and, at once, to a revoked one', async () => {
    const me = await t.principal({ roles: ['auditor'], tokenTtlMs: 30 * DAY_MS });
    const short = (
      await call(t, 'POST', '/api/v1/tokens', me.headers, { expires_in_days: 1 })
    ).json();
    assert.equal((await call(t, 'GET', '/api/v1/whoami', bearer(short.token))).statusCode, 200);
    t.clock.advance(DAY_MS);
    const expired = await call(t, 'GET', '/api/v1/whoami', bearer(short.token));
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.json().error.code, 'unauthorized');

    const other = (await call(t, 'POST', '/api/v1/tokens', me.headers, {})).json();
    assert.equal((await call(t, 'GET', '/api/v1/events', bearer(other.token))).statusCode, 200);
    const revoke = await call(t, 'DELETE', `/api/v1/tokens/${other.id}`, me.headers);
    assert.equal(revoke.statusCode, 200, revoke.body);
    assert.equal(revoke.json().status, 'revoked');
    assert.equal((await call(t, 'GET', '/api/v1/events', bearer(other.token))).statusCode, 401);
    const again = await call(t, 'DELETE', `/api/v1/tokens/${other.id}`, me.headers);
    assert.equal(again.statusCode, 200, 'revoking twice is harmless');
    const revokes = (await selfEvents(t, 'token.revoke')).filter((e) => e.target?.id === other.id);
    assert.equal(revokes.length, 1, 'one event for one revocation');
  });

  it("hides others' tokens unless you manage tokens", async () => {
    const owner = await t.principal({ roles: ['reviewer'] });
    const stranger = await t.principal({ roles: ['auditor'] });
    const admin = await t.principal({ roles: ['admin'] });
    const theirs = (await call(t, 'POST', '/api/v1/tokens', owner.headers, {})).json();
    const probe = await call(t, 'DELETE', `/api/v1/tokens/${theirs.id}`, stranger.headers);
    const unknown = await call(t, 'DELETE', '/api/v1/tokens/0123456789abcdef', stranger.headers);
    assert.equal(probe.statusCode, 404);
    assert.equal(unknown.statusCode, 404);
    const listed = await call(t, 'GET', `/api/v1/principals/${owner.id}/tokens`, admin.headers);
    assert.ok(listed.json().tokens.some((x: { id: string }) => x.id === theirs.id));
    const byAdmin = await call(t, 'DELETE', `/api/v1/tokens/${theirs.id}`, admin.headers);
    assert.equal(byAdmin.statusCode, 200);
    assert.equal(byAdmin.json().revoked_by, admin.id);
  });

  it('lets admins make tokens for services only, never carrying admin for another admin', async () => {
    const admin = await t.principal({ roles: ['admin'] });
    const second = await t.principal({ roles: ['admin'] });
    const approve = async (res: { json(): { approval: { id: string } } }) => {
      const ok = await call(
        t,
        'POST',
        `/api/v1/approvals/${res.json().approval.id}/approve`,
        second.headers,
      );
      assert.equal(ok.statusCode, 200, ok.body);
    };
    // A reading role for a service, and a token that reads, each wait for a second admin
    // (test/access/four-eyes-readers.test.ts has the whole rule).
    const made = await call(t, 'POST', '/api/v1/principals', admin.headers, {
      kind: 'service',
      name: 'siem-export',
      roles: [{ role: 'auditor', sources: ['billing-*'] }],
    });
    assert.equal(made.statusCode, 202, made.body);
    await approve(made);
    const service = made.json().principal.id;
    const token = await call(t, 'POST', `/api/v1/principals/${service}/tokens`, admin.headers, {
      label: 'siem',
    });
    assert.equal(token.statusCode, 202, token.body);
    assert.equal(token.json().principal_id, service);
    await approve(token);
    const who = (await call(t, 'GET', '/api/v1/whoami', bearer(token.json().token))).json();
    assert.deepEqual([who.kind, who.name], ['service', 'siem-export']);
    assert.deepEqual(who.roles, [{ role: 'auditor', sources: ['billing-*'] }]);
    const notHeld = await call(t, 'POST', `/api/v1/principals/${service}/tokens`, admin.headers, {
      roles: ['reviewer'],
    });
    assert.equal(notHeld.statusCode, 400);

    const person = await t.principal({ roles: ['auditor'] });
    const forPerson = await call(
      t,
      'POST',
      `/api/v1/principals/${person.id}/tokens`,
      admin.headers,
    );
    assert.equal(forPerson.statusCode, 403);

    const adminService = await t.principal({ kind: 'service', roles: ['admin', 'auditor'] });
    const carrying = await call(
      t,
      'POST',
      `/api/v1/principals/${adminService.id}/tokens`,
      admin.headers,
      { roles: ['admin'] },
    );
    assert.equal(carrying.statusCode, 403);
    const withoutAdmin = await call(
      t,
      'POST',
      `/api/v1/principals/${adminService.id}/tokens`,
      admin.headers,
      { roles: ['auditor'] },
    );
    assert.equal(withoutAdmin.statusCode, 202, 'a reading token waits for a second admin');
    assert.equal(withoutAdmin.json().status, 'awaiting_approval');
  });

  it('refuses bad token requests with the path to fix', async () => {
    const me = await t.principal({ roles: ['auditor'] });
    for (const [body, path] of [
      [{ expires_in_days: 367 }, 'expires_in_days'],
      [{ expires_in_days: 1.5 }, 'expires_in_days'],
      [{ expires_in_hours: 0 }, 'expires_in_hours'],
      [{ expires_in_hours: 12, expires_in_days: 1 }, 'expires_in_hours'],
      [{ roles: 'auditor' }, 'roles'],
      [{ roles: ['auditor', 'auditor'] }, 'roles[1]'],
      [{ label: '' }, 'label'],
      [{ lable: 'x' }, 'lable'],
    ] as const) {
      const res = await call(t, 'POST', '/api/v1/tokens', me.headers, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      assert.equal(res.json().error.path, path);
    }
    const short = await call(t, 'POST', '/api/v1/tokens', me.headers, { expires_in_hours: 12 });
    assert.equal(short.statusCode, 201, short.body);
    assert.equal(Date.parse(short.json().expires_at), t.clock.now() + 12 * 3_600_000);
    const bootstrap = await call(t, 'POST', '/api/v1/tokens', t.admin, {});
    assert.equal(bootstrap.statusCode, 403);
  });

  it('tells any credential who it is: ingest keys and the bootstrap token too', async () => {
    const key = await t.ingestKey('billing-api');
    const ingest = await call(t, 'GET', '/api/v1/whoami', key);
    assert.equal(ingest.statusCode, 200);
    assert.deepEqual(ingest.json(), {
      id: key.id,
      kind: 'ingest',
      name: null,
      source: 'billing-api',
      roles: [],
      credential: { method: 'ingest_key', key_id: key.id },
    });
    const boot = (await call(t, 'GET', '/api/v1/whoami', t.admin)).json();
    assert.equal(boot.id, 'bootstrap');
    assert.equal(boot.credential.method, 'bootstrap');
    const none = await t.app.inject({ url: '/api/v1/whoami' });
    assert.equal(none.statusCode, 401);
  });
});
