import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CREDENTIAL_CONTROL_MS } from '../../src/access/admin/credential-control.js';
import { person, selfEvents } from '../support/sign-in.js';
import { call, type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

const PASSWORD = 'a passphrase admin A chose';

/**
 * Four-eyes holds when an admin can get at the subject's credentials: an account waiting for
 * admin is protected like an admin, and nobody who set its credentials within the control
 * window may ask for or approve its admin grant.
 */
describe('four-eyes against an admin who controls the subject’s credentials', () => {
  let t: TestServer;
  let a: TestPrincipal;
  let b: TestPrincipal;
  let c: TestPrincipal;
  const ttl = 60 * 24 * 3600 * 1000;
  before(async () => {
    t = await testServer();
    a = await t.principal({ roles: ['admin'], name: 'admin-a', tokenTtlMs: ttl });
    b = await t.principal({ roles: ['admin'], name: 'admin-b', tokenTtlMs: ttl });
    c = await t.principal({ roles: ['admin'], name: 'admin-c', tokenTtlMs: ttl });
  });
  after(async () => t.close());

  const login = (name: string, password: string) =>
    call(t, 'POST', '/api/v1/auth/login', {}, { name, password });

  it('the chain from the review: A asks admin for E, sets E’s password, B approves → A is not E', async () => {
    const e = await person(t, { name: 'eve', password: null, grants: [] });
    const ask = await call(t, 'PUT', `/api/v1/principals/${e.id}/roles`, a.headers, {
      roles: ['admin'],
    });
    assert.equal(ask.statusCode, 202, ask.body);

    const reset = await call(t, 'PATCH', `/api/v1/principals/${e.id}`, a.headers, {
      password: PASSWORD,
    });
    assert.equal(reset.statusCode, 403, reset.body);
    assert.equal(reset.json().error.reason, 'acts_as_two_admins');

    const approve = await call(
      t,
      'POST',
      `/api/v1/approvals/${ask.json().approval.id}/approve`,
      b.headers,
    );
    assert.equal(approve.statusCode, 200, approve.body);
    // E is an admin now, and A cannot sign in as E with the password A tried to set.
    assert.equal((await login('eve', PASSWORD)).statusCode, 401);
    const denied = (await selfEvents(t, 'principal.update')).filter((ev) => ev.target?.id === e.id);
    assert.deepEqual(
      denied.map((ev) => [ev.actor.id, ev.outcome]),
      [[a.id, 'denied']],
    );
  });

  it('A sets F’s password first: neither A’s request nor A’s approval can make F an admin', async () => {
    const f = await person(t, { name: 'frank', password: null, grants: [] });
    const reset = await call(t, 'PATCH', `/api/v1/principals/${f.id}`, a.headers, {
      password: PASSWORD,
    });
    assert.equal(reset.statusCode, 200, reset.body);

    const byA = await call(t, 'PUT', `/api/v1/principals/${f.id}/roles`, a.headers, {
      roles: ['admin'],
    });
    assert.equal(byA.statusCode, 409, byA.body);
    assert.match(byA.json().error.message, /requester set "frank"'s credentials/);
    assert.equal(byA.json().error.reason, 'credential_controlled');

    const byB = await call(t, 'PUT', `/api/v1/principals/${f.id}/roles`, b.headers, {
      roles: ['admin'],
    });
    assert.equal(byB.statusCode, 202, byB.body);
    const id = byB.json().approval.id;
    const approvedByA = await call(t, 'POST', `/api/v1/approvals/${id}/approve`, a.headers);
    assert.equal(approvedByA.statusCode, 409, approvedByA.body);
    assert.match(approvedByA.json().error.message, /approver set "frank"'s credentials/);
    assert.equal(approvedByA.json().error.reason, 'credential_controlled');
    const approvedByC = await call(t, 'POST', `/api/v1/approvals/${id}/approve`, c.headers);
    assert.equal(approvedByC.statusCode, 200, approvedByC.body);
  });

  it('a request by the admin who set the credentials is refused at creation, nothing is made', async () => {
    const res = await call(t, 'POST', '/api/v1/principals', a.headers, {
      kind: 'person',
      name: 'gina',
      password: PASSWORD,
      roles: ['admin'],
    });
    assert.equal(res.statusCode, 409, res.body);
    const listed = (await call(t, 'GET', '/api/v1/principals', a.headers)).json().principals;
    assert.ok(!listed.some((p: { name: string }) => p.name === 'gina'));
  });

  it('a token A made for a service bars A from its admin grant; a pending service gets no tokens', async () => {
    const made = await call(t, 'POST', '/api/v1/principals', a.headers, {
      kind: 'service',
      name: 'robot',
      roles: [],
    });
    assert.equal(made.statusCode, 201, made.body);
    const id = made.json().principal.id;
    const token = await call(t, 'POST', `/api/v1/principals/${id}/tokens`, a.headers, {});
    assert.equal(token.statusCode, 201, token.body);
    const ask = await call(t, 'PUT', `/api/v1/principals/${id}/roles`, b.headers, {
      roles: ['admin'],
    });
    assert.equal(ask.statusCode, 202, ask.body);
    const another = await call(t, 'POST', `/api/v1/principals/${id}/tokens`, c.headers, {});
    assert.equal(another.statusCode, 403, 'no credentials for an account waiting for admin');
    const byA = await call(
      t,
      'POST',
      `/api/v1/approvals/${ask.json().approval.id}/approve`,
      a.headers,
    );
    assert.equal(byA.statusCode, 409, byA.body);
  });

  it('the control window ends after the named number of days', async () => {
    const h = await person(t, { name: 'hugo', password: null, grants: [] });
    const reset = await call(t, 'PATCH', `/api/v1/principals/${h.id}`, a.headers, {
      password: PASSWORD,
    });
    assert.equal(reset.statusCode, 200);
    t.clock.advance(CREDENTIAL_CONTROL_MS - 1000);
    const early = await call(t, 'PUT', `/api/v1/principals/${h.id}/roles`, a.headers, {
      roles: ['admin'],
    });
    assert.equal(early.statusCode, 409);
    t.clock.advance(1000);
    const later = await call(t, 'PUT', `/api/v1/principals/${h.id}/roles`, a.headers, {
      roles: ['admin'],
    });
    assert.equal(later.statusCode, 202, later.body);
  });
});
