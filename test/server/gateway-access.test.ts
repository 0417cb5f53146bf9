import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makeVerifier, parseVerifier } from '../../src/gateway/auth/scram.js';
import { selfEvents } from '../support/sign-in.js';
import { call, type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

/**
 * Gateway credentials minted through the API and the policy a gateway fetches: people make
 * and revoke their own, admins manage the policy and anyone's credential, a gateway's
 * service reads verifiers and where each person may go — and every change is an event.
 */
describe('gateway credentials and policy over the API', () => {
  let t: TestServer;
  let ada: TestPrincipal;
  let bob: TestPrincipal;
  let admin: TestPrincipal;
  let gateway: TestPrincipal;

  before(async () => {
    t = await testServer();
    ada = await t.principal({ name: 'ada', roles: ['reviewer'] });
    bob = await t.principal({ name: 'bob' });
    admin = await t.principal({ name: 'root', roles: ['admin'] });
    gateway = await t.principal({ name: 'gw-prod', kind: 'service', roles: ['gateway'] });
  });
  after(async () => t.close());

  it('mints a credential with an explicit lifetime; only its SCRAM verifier is kept', async () => {
    const missing = await call(t, 'POST', '/api/v1/gateway/credentials', ada.headers, {});
    assert.equal(missing.statusCode, 400, missing.body);
    const res = await call(t, 'POST', '/api/v1/gateway/credentials', ada.headers, {
      expires_in_hours: 8,
      label: 'laptop',
    });
    assert.equal(res.statusCode, 201, res.body);
    const made = res.json();
    assert.match(made.secret, /^evg_/);
    assert.equal(made.user, 'ada');
    assert.equal(made.status, 'active');
    assert.equal(Date.parse(made.expires_at) - t.clock.now(), 8 * 3600_000);

    const sync = await call(t, 'GET', '/api/v1/gateway/sync', gateway.headers);
    assert.equal(sync.statusCode, 200, sync.body);
    assert.ok(!sync.body.includes(made.secret), 'the secret is never served again');
    const synced = sync.json().credentials.find((c: { id: string }) => c.id === made.id);
    const v = parseVerifier(synced.verifier)!;
    assert.deepEqual(makeVerifier(made.secret, v.salt, v.iterations).storedKey, v.storedKey);
    assert.equal(synced.person, 'ada');
    assert.equal(synced.person_id, ada.id);
    assert.deepEqual(synced.access, [], 'no grant yet: a credential alone reaches nothing');

    const event = (await selfEvents(t, 'gateway_credential.create'))[0]!;
    assert.equal(event.actor.id, ada.id);
    assert.equal(event.target?.id, made.id);
    assert.equal(event.details?.lifetime_hours, 8);
  });

  it('a new credential replaces the live one, in the same change', async () => {
    const first = (await call(t, 'GET', '/api/v1/gateway/credentials', ada.headers)).json()
      .credentials[0];
    const res = await call(t, 'POST', '/api/v1/gateway/credentials', ada.headers, {
      expires_in_hours: 1,
    });
    assert.equal(res.statusCode, 201, res.body);
    const own = (await call(t, 'GET', '/api/v1/gateway/credentials', ada.headers)).json()
      .credentials;
    assert.deepEqual(
      own.map((c: { status: string }) => c.status),
      ['revoked', 'active'],
    );
    const event = (await selfEvents(t, 'gateway_credential.create'))[0]!;
    assert.deepEqual(event.details?.replaced, [first.id]);
  });

  it('services and the bootstrap token make none; people see only their own', async () => {
    const byService = await call(t, 'POST', '/api/v1/gateway/credentials', gateway.headers, {
      expires_in_hours: 1,
    });
    assert.equal(byService.statusCode, 403, byService.body);
    assert.equal(byService.json().error.reason, 'gateway_credential_for_person');
    const byBootstrap = await call(t, 'POST', '/api/v1/gateway/credentials', t.admin, {
      expires_in_hours: 1,
    });
    assert.equal(byBootstrap.statusCode, 403, byBootstrap.body);
    const tooLong = await call(t, 'POST', '/api/v1/gateway/credentials', bob.headers, {
      expires_in_hours: 721,
    });
    assert.equal(tooLong.statusCode, 400, tooLong.body);
    const bobs = (await call(t, 'GET', '/api/v1/gateway/credentials', bob.headers)).json();
    assert.deepEqual(bobs.credentials, []);
  });

  it("revokes: one's own, anyone's for an admin, nobody else's (404 as if absent)", async () => {
    const made = (
      await call(t, 'POST', '/api/v1/gateway/credentials', bob.headers, { expires_in_hours: 2 })
    ).json();
    const byAda = await call(t, 'DELETE', `/api/v1/gateway/credentials/${made.id}`, ada.headers);
    assert.equal(byAda.statusCode, 404, byAda.body);
    const all = await call(t, 'GET', '/api/v1/gateway/credentials/all', admin.headers);
    assert.ok(all.json().credentials.some((c: { id: string }) => c.id === made.id));
    const byAdmin = await call(
      t,
      'DELETE',
      `/api/v1/gateway/credentials/${made.id}`,
      admin.headers,
    );
    assert.equal(byAdmin.statusCode, 200, byAdmin.body);
    assert.equal(byAdmin.json().status, 'revoked');
    assert.equal(byAdmin.json().revoked_by, admin.id);
    const again = await call(t, 'DELETE', `/api/v1/gateway/credentials/${made.id}`, bob.headers);
    assert.equal(again.statusCode, 200, again.body);
    const revokes = (await selfEvents(t, 'gateway_credential.revoke')).filter(
      (e) => e.target?.id === made.id,
    );
    assert.equal(revokes.length, 1, 'revoking twice is one event');
    assert.equal(revokes[0]!.actor.id, admin.id);

    const sync = (await call(t, 'GET', '/api/v1/gateway/sync', gateway.headers)).json();
    const synced = sync.credentials.find((c: { id: string }) => c.id === made.id);
    assert.equal(synced.revoked, true, 'listed as revoked until it expires');
  });

  it('grants by person and by role reach the sync; duplicates and bad subjects are refused', async () => {
    const byPerson = await call(t, 'POST', '/api/v1/gateway/grants', admin.headers, {
      person: 'ada',
      database: 'app',
      upstream_role: 'app_ro',
    });
    assert.equal(byPerson.statusCode, 201, byPerson.body);
    assert.equal(byPerson.json().person, ada.id, 'stored by account id');
    const byRole = await call(t, 'POST', '/api/v1/gateway/grants', admin.headers, {
      role: 'reviewer',
      database: 'billing',
      upstream_role: 'billing_ro',
    });
    assert.equal(byRole.statusCode, 201, byRole.body);
    const twice = await call(t, 'POST', '/api/v1/gateway/grants', admin.headers, {
      person: ada.id,
      database: 'app',
      upstream_role: 'app_ro',
    });
    assert.equal(twice.statusCode, 409, twice.body);
    assert.equal(twice.json().error.reason, 'gateway_grant_exists');
    const both = await call(t, 'POST', '/api/v1/gateway/grants', admin.headers, {
      person: 'ada',
      role: 'auditor',
      database: 'app',
      upstream_role: 'x',
    });
    assert.equal(both.statusCode, 400, both.body);
    const service = await call(t, 'POST', '/api/v1/gateway/grants', admin.headers, {
      person: 'gw-prod',
      database: 'app',
      upstream_role: 'x',
    });
    assert.equal(service.statusCode, 400, service.body);
    const byAda = await call(t, 'POST', '/api/v1/gateway/grants', ada.headers, {
      role: 'reviewer',
      database: 'app',
      upstream_role: 'app_rw',
    });
    assert.equal(byAda.statusCode, 403, byAda.body);

    const sync = (await call(t, 'GET', '/api/v1/gateway/sync', gateway.headers)).json();
    const adas = sync.credentials.find(
      (c: { person: string; revoked: boolean }) => c.person === 'ada' && !c.revoked,
    );
    assert.deepEqual(adas.access, [
      { database: 'app', upstream_role: 'app_ro' },
      { database: 'billing', upstream_role: 'billing_ro' },
    ]);

    const removed = await call(
      t,
      'DELETE',
      `/api/v1/gateway/grants/${byPerson.json().id}`,
      admin.headers,
    );
    assert.equal(removed.statusCode, 200, removed.body);
    const list = (await call(t, 'GET', '/api/v1/gateway/grants', admin.headers)).json().grants;
    assert.deepEqual(
      list.map((g: { id: string }) => g.id),
      [byRole.json().id],
    );
    const created = await selfEvents(t, 'gateway_grant.create');
    const deleted = await selfEvents(t, 'gateway_grant.delete');
    assert.equal(created.length, 2);
    assert.deepEqual(deleted[0]!.details, {
      person: ada.id,
      database: 'app',
      upstream_role: 'app_ro',
    });
  });

  it('only a gateway service reads the sync; a disabled person drops out of it', async () => {
    const byAdmin = await call(t, 'GET', '/api/v1/gateway/sync', admin.headers);
    assert.equal(byAdmin.statusCode, 403, byAdmin.body);
    const carol = await t.principal({ name: 'carol' });
    await call(t, 'POST', '/api/v1/gateway/credentials', carol.headers, { expires_in_hours: 1 });
    const names = async () =>
      (await call(t, 'GET', '/api/v1/gateway/sync', gateway.headers))
        .json()
        .credentials.map((c: { person: string }) => c.person);
    assert.ok((await names()).includes('carol'));
    const disabled = await call(t, 'PATCH', `/api/v1/principals/${carol.id}`, admin.headers, {
      disabled: true,
    });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assert.ok(!(await names()).includes('carol'));
    t.clock.advance(3 * 3600_000);
    assert.ok(!(await names()).includes('bob'), 'expired credentials are not served');
  });
});
