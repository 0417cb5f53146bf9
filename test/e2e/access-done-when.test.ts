import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type SignedIn, selfEvents, signIn } from '../support/sign-in.js';
import { event, type TestServer, testServer } from '../support/test-server.js';

/**
 * Issue #4's "done when", over the API as people use it: an admin creates an auditor and a
 * reviewer limited to `billing-*`; each signs in with a password and can do exactly what the
 * matrix says; every such access is an event in the log. (OIDC sign-in of the same accounts
 * is exercised end to end against a real provider in test/access/oidc.test.ts.)
 */
describe('access control end to end: admin → auditor + scoped reviewer → audited access', () => {
  let t: TestServer;
  let auditor: SignedIn;
  let reviewer: SignedIn;
  const PASSWORD = 'a long enough passphrase';

  const headersOf = (who: SignedIn | Record<string, string>, method: string) => {
    if (!('write' in who)) return who as Record<string, string>;
    const signedIn = who as SignedIn;
    return method === 'GET' ? signedIn.get : signedIn.write;
  };
  const as = (
    who: SignedIn | Record<string, string>,
    url: string,
    method = 'GET',
    body?: unknown,
  ) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: {
        ...headersOf(who, method),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  before(async () => {
    t = await testServer();
    for (const source of ['billing-api', 'hr-api']) {
      const key = await t.ingestKey(source);
      const res = await as(key, '/api/v1/events', 'POST', event({ action: `${source}.read` }));
      assert.equal(res.statusCode, 201);
    }
    // The bootstrap admin creates the two people (no admin role: no approval needed).
    for (const [name, roles] of [
      ['ada', ['auditor']],
      ['rita', [{ role: 'reviewer', sources: ['billing-*'] }]],
    ] as const) {
      const res = await as(t.admin, '/api/v1/principals', 'POST', {
        kind: 'person',
        name,
        password: PASSWORD,
        roles,
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    auditor = await signIn(t, 'ada', PASSWORD);
    reviewer = await signIn(t, 'rita', PASSWORD);
  });
  after(async () => t.close());

  it('the auditor reads, proves and exports everything, and manages nothing', async () => {
    const search = await as(auditor, '/api/v1/events?source=hr-api');
    assert.equal(search.statusCode, 200);
    assert.equal(search.json().entries.length, 1);
    assert.equal((await as(auditor, '/api/v1/log/proof/inclusion?seq=1')).statusCode, 200);
    assert.equal((await as(auditor, '/api/v1/log/entries?start=0&end=2')).statusCode, 200);
    assert.equal((await as(auditor, '/api/v1/keys', 'POST', { source: 'x' })).statusCode, 403);
    assert.equal(
      (await as(auditor, '/api/v1/principals', 'POST', { kind: 'service', name: 'x', roles: [] }))
        .statusCode,
      403,
    );
  });

  it('the reviewer sees billing-* only, handles alerts, cannot prove or page the raw log', async () => {
    const search = await as(reviewer, '/api/v1/events?limit=1000');
    assert.equal(search.statusCode, 200);
    const sources = new Set(
      search.json().entries.map((e: { record: { source: string } }) => e.record.source),
    );
    assert.deepEqual([...sources], ['billing-api']);
    assert.equal((await as(reviewer, '/api/v1/events?source=hr-api')).json().entries.length, 0);
    assert.equal((await as(reviewer, '/api/v1/log/proof/inclusion?seq=1')).statusCode, 403);
    assert.equal((await as(reviewer, '/api/v1/alerts')).statusCode, 200);
    assert.equal((await as(reviewer, '/api/v1/alerts/export')).statusCode, 200);
    assert.equal((await as(reviewer, '/api/v1/log/entries?start=0&end=2')).statusCode, 403);
    // A cookie-authenticated write without the CSRF token is refused.
    const noCsrf = await t.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { ...reviewer.get, 'content-type': 'application/json' },
      payload: '{}',
    });
    assert.equal(noCsrf.statusCode, 403);
  });

  it('every sign-in and every read is an event with the person behind it', async () => {
    const signIns = await selfEvents(t, 'session.sign_in');
    assert.deepEqual(signIns.map((e) => [e.actor.name, e.outcome]).sort(), [
      ['ada', 'success'],
      ['rita', 'success'],
    ]);
    const searches = await selfEvents(t, 'audit_log.search');
    const byName = (name: string) => searches.filter((e) => e.actor.name === name);
    assert.ok(byName('ada').length >= 1);
    assert.ok(byName('rita').length >= 2);
    assert.deepEqual(byName('rita')[0]!.details?.scope, ['billing-*']);
    const proofs = await selfEvents(t, 'audit_log.proof');
    assert.ok(proofs.some((e) => e.actor.name === 'ada' && e.actor.type === 'person'));
    const created = await selfEvents(t, 'principal.create');
    assert.deepEqual(created.map((e) => e.target?.name ?? e.details?.name).sort(), ['ada', 'rita']);
  });
});
