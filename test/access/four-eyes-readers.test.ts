import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { person, selfEvents } from '../support/sign-in.js';
import { call, type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/**
 * "Admins cannot read event contents" holds only if one admin cannot make a reader they can
 * sign in as: reading roles for principals an admin controls, and service tokens that read,
 * wait for a second admin.
 */
describe('no reader minted by one admin alone', () => {
  let t: TestServer;
  let a: TestPrincipal;
  let b: TestPrincipal;
  before(async () => {
    t = await testServer();
    a = await t.principal({ roles: ['admin'], name: 'admin-a' });
    b = await t.principal({ roles: ['admin'], name: 'admin-b' });
    const key = await t.ingestKey('hr-api');
    assert.equal((await call(t, 'POST', '/api/v1/events', key, { ...ev() })).statusCode, 201);
  });
  after(async () => t.close());

  const approve = (id: string, by = b) =>
    call(t, 'POST', `/api/v1/approvals/${id}/approve`, by.headers);

  it('the chain from the review: a service auditor and its token both wait for a second admin', async () => {
    const made = await call(t, 'POST', '/api/v1/principals', a.headers, {
      kind: 'service',
      name: 'exporter',
      roles: ['auditor'],
    });
    assert.equal(made.statusCode, 202, made.body);
    const { principal, approval } = made.json();
    assert.deepEqual(principal.roles, []);
    assert.equal(approval.change, 'reader_grant');
    assert.deepEqual(approval.roles, [{ role: 'auditor', sources: null }]);

    // Meanwhile a token reads nothing.
    const early = await call(t, 'POST', `/api/v1/principals/${principal.id}/tokens`, a.headers);
    assert.equal(early.statusCode, 201, early.body);
    assert.equal(
      (await call(t, 'GET', '/api/v1/events', bearer(early.json().token))).statusCode,
      403,
    );

    assert.equal((await approve(approval.id, a)).statusCode, 403, 'not by the requester');
    assert.equal((await approve(approval.id)).statusCode, 200);

    const token = await call(t, 'POST', `/api/v1/principals/${principal.id}/tokens`, a.headers, {
      roles: ['auditor'],
    });
    assert.equal(token.statusCode, 202, token.body);
    assert.equal(token.json().status, 'awaiting_approval');
    assert.equal(token.json().approval.change, 'reader_token');
    const reader = bearer(token.json().token);
    assert.equal((await call(t, 'GET', '/api/v1/events', reader)).statusCode, 401);
    assert.equal((await approve(token.json().approval.id)).statusCode, 200);
    const read = await call(t, 'GET', '/api/v1/events?source=hr-api', reader);
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().entries.length, 1);

    const requests = (await selfEvents(t, 'approval.request')).filter(
      (e) => e.details?.subject_id === principal.id,
    );
    assert.deepEqual(requests.map((e) => [e.actor.id, e.details?.change]).sort(), [
      [a.id, 'reader_grant'],
      [a.id, 'reader_token'],
    ]);
  });

  it('a reading role for a person whose password an admin set waits; removals apply at once', async () => {
    const p = await person(t, { name: 'pat', password: null, grants: [{ role: 'auditor' }] });
    const reset = await call(t, 'PATCH', `/api/v1/principals/${p.id}`, a.headers, {
      password: 'a passphrase admin A knows',
    });
    assert.equal(reset.statusCode, 200);
    const change = await call(t, 'PUT', `/api/v1/principals/${p.id}/roles`, a.headers, {
      roles: [{ role: 'reviewer', sources: ['billing-*'] }],
    });
    assert.equal(change.statusCode, 202, change.body);
    assert.deepEqual(change.json().principal.roles, [], 'auditor removed at once');
    assert.equal(change.json().approval.change, 'reader_grant');
    const ok = await approve(change.json().approval.id);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().principal.roles, [{ role: 'reviewer', sources: ['billing-*'] }]);
  });

  it('a person whose credentials no admin set gets reading roles at once', async () => {
    const p = await person(t, { name: 'quinn', grants: [] });
    const change = await call(t, 'PUT', `/api/v1/principals/${p.id}/roles`, a.headers, {
      roles: ['reviewer'],
    });
    assert.equal(change.statusCode, 200, change.body);
  });

  it('a rejected reading token is revoked, never left waiting', async () => {
    const svc = await t.principal({ kind: 'service', roles: ['reviewer'], name: 'svc-r' });
    const token = await call(t, 'POST', `/api/v1/principals/${svc.id}/tokens`, a.headers, {});
    assert.equal(token.statusCode, 202);
    const again = await call(t, 'POST', `/api/v1/principals/${svc.id}/tokens`, a.headers, {});
    assert.equal(again.statusCode, 409, 'one waiting token per service');
    const rejected = await call(
      t,
      'POST',
      `/api/v1/approvals/${token.json().approval.id}/reject`,
      b.headers,
    );
    assert.equal(rejected.statusCode, 200, rejected.body);
    const list = await call(t, 'GET', `/api/v1/principals/${svc.id}/tokens`, a.headers);
    const shown = list.json().tokens.find((x: { id: string }) => x.id === token.json().id);
    assert.equal(shown.status, 'revoked');
  });

  it('cannot be turned off while two admins exist; the refusal is an event', async () => {
    const res = await call(t, 'PUT', '/api/v1/settings/four-eyes', a.headers, {
      reader_grants: 'off',
    });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().error.path, 'reader_grants');
    const bad = await call(t, 'PUT', '/api/v1/settings/four-eyes', a.headers, {
      reader_grants: false,
    });
    assert.equal(bad.statusCode, 400);
    const denied = (await selfEvents(t, 'settings.update')).at(-1)!;
    assert.equal(denied.outcome, 'denied');
    assert.equal((await call(t, 'GET', '/healthz', {})).json().four_eyes.reader_grants, 'on');
  });
});

describe('a one-person install turns reader four-eyes off', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  it('the bootstrap token grants readers directly while no admin account exists', async () => {
    const res = await call(t, 'POST', '/api/v1/principals', t.admin, {
      kind: 'service',
      name: 'early-reader',
      roles: ['auditor'],
    });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().principal.roles, [{ role: 'auditor', sources: null }]);
  });

  it('off is an event, shown by /healthz and whoami, and then one admin grants alone', async () => {
    const solo = await t.principal({ roles: ['admin'], name: 'solo' });
    const off = await call(t, 'PUT', '/api/v1/settings/four-eyes', solo.headers, {
      reader_grants: 'off',
    });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().changed_by, solo.id);
    const changed = (await selfEvents(t, 'settings.update')).at(-1)!;
    assert.deepEqual(
      [changed.actor.id, changed.outcome, changed.details?.reader_grants],
      [solo.id, 'success', 'off'],
    );
    assert.equal((await call(t, 'GET', '/healthz', {})).json().four_eyes.reader_grants, 'off');
    const who = await call(t, 'GET', '/api/v1/whoami', solo.headers);
    assert.equal(who.json().four_eyes.reader_grants, 'off');

    const made = await call(t, 'POST', '/api/v1/principals', solo.headers, {
      kind: 'service',
      name: 'exporter',
      roles: ['auditor'],
    });
    assert.equal(made.statusCode, 201, made.body);
    const token = await call(
      t,
      'POST',
      `/api/v1/principals/${made.json().principal.id}/tokens`,
      solo.headers,
    );
    assert.equal(token.statusCode, 201, token.body);
  });
});

function ev() {
  return {
    time: '2026-11-22T09:14:03.120Z',
    actor: { id: 'u-1' },
    action: 'employee.read',
    outcome: 'success',
  };
}
