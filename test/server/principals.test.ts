import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventRecord } from '../../src/core/record/types.js';
import { registeredRoutes } from '../../src/server/app.js';
import { call, type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

const PASSWORD = 'correct horse battery staple';

/** The log's own events (source `evident`), oldest first. */
async function selfEvents(t: TestServer, action?: string): Promise<EventRecord[]> {
  const entries = await t.log.store.search({ source: 'evident', limit: 10_000 });
  return entries
    .map((e) => JSON.parse(e.record) as EventRecord)
    .filter((r) => action === undefined || r.action === action)
    .reverse();
}

describe('HTTP API: principals, roles and four-eyes approvals', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  let ada: string;
  let otherAdmin: { authorization: string };

  it('lets the bootstrap token make the first admin directly, recorded as bootstrap', async () => {
    const res = await call(t, 'POST', '/api/v1/principals', t.admin, {
      kind: 'person',
      name: 'ada',
      display_name: 'Ada Lovelace',
      email: 'ada@example.org',
      password: PASSWORD,
      roles: ['admin', { role: 'auditor', sources: ['billing-*'] }],
    });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.approval, null);
    assert.deepEqual(body.principal.roles, [
      { role: 'admin', sources: null },
      { role: 'auditor', sources: ['billing-*'] },
    ]);
    assert.equal(body.principal.sign_in.password, true);
    assert.doesNotMatch(res.body, /scrypt|password_hash|passwordHash/);
    ada = body.principal.id;

    const grants = await selfEvents(t, 'principal.role_grant');
    const adminGrant = grants.find((e) => e.target?.id === ada && e.details?.role === 'admin');
    assert.equal(adminGrant?.details?.bootstrap, true);
    assert.equal(adminGrant?.actor.type, 'admin_token');
    const created = (await selfEvents(t, 'principal.create')).at(-1)!;
    assert.equal(created.target?.id, ada);
    assert.equal(created.category, 'iam');
    assert.equal(created.actor.ip, '127.0.0.1', 'the request address is recorded');

    otherAdmin = (await t.principal({ roles: ['admin'] })).headers;
  });

  it('closes the bootstrap window once an admin account exists: the next grant is a request', async () => {
    // No password: credentials set with the shared bootstrap token would bar every admin from
    // asking for or approving bob's admin grant (test/access/four-eyes-credentials.test.ts).
    const res = await call(t, 'POST', '/api/v1/principals', t.admin, {
      kind: 'person',
      name: 'bob',
      roles: ['admin', 'reviewer'],
    });
    assert.equal(res.statusCode, 202, res.body);
    const { principal, approval } = res.json();
    assert.deepEqual(principal.roles, [{ role: 'reviewer', sources: null }]);
    assert.equal(approval.status, 'pending');
    assert.equal(approval.change, 'admin_grant');
    assert.equal(approval.requested_by.id, 'bootstrap');
    const bootstrapApprove = await call(
      t,
      'POST',
      `/api/v1/approvals/${approval.id}/approve`,
      t.admin,
    );
    assert.equal(bootstrapApprove.statusCode, 403, 'the shared bootstrap token is no second admin');
    const reject = await call(t, 'POST', `/api/v1/approvals/${approval.id}/reject`, otherAdmin, {
      reason: 'not needed',
    });
    assert.equal(reject.statusCode, 200, reject.body);
    assert.equal(reject.json().approval.status, 'rejected');
    const rejected = (await selfEvents(t, 'approval.reject')).at(-1)!;
    assert.deepEqual(
      [rejected.target?.id, rejected.reason, rejected.details?.subject_name],
      [approval.id, 'not needed', 'bob'],
    );
    const again = await call(t, 'POST', `/api/v1/approvals/${approval.id}/approve`, otherAdmin);
    assert.equal(again.statusCode, 409);
  });

  describe('four-eyes', () => {
    let first: TestPrincipal;
    let second: TestPrincipal;
    let subject: TestPrincipal;

    before(async () => {
      const tokenTtlMs = 30 * 24 * 3600 * 1000;
      first = await t.principal({ roles: ['admin'], name: 'first-admin', tokenTtlMs });
      second = await t.principal({ roles: ['admin'], name: 'second-admin', tokenTtlMs });
      subject = await t.principal({ roles: ['auditor'], name: 'subject', tokenTtlMs });
    });

    it('asks, refuses the asker and the subject, and applies on a second admin approval', async () => {
      const ask = await call(t, 'PUT', `/api/v1/principals/${subject.id}/roles`, first.headers, {
        roles: ['admin', 'auditor', { role: 'reviewer', sources: ['billing-*'] }],
        reason: 'on-call rota',
      });
      assert.equal(ask.statusCode, 202, ask.body);
      const { principal, approval } = ask.json();
      // The non-admin part applied at once; admin waits.
      assert.deepEqual(
        principal.roles.map((r: { role: string }) => r.role),
        ['auditor', 'reviewer'],
      );
      assert.equal(approval.reason, 'on-call rota');

      const duplicate = await call(
        t,
        'PUT',
        `/api/v1/principals/${subject.id}/roles`,
        second.headers,
        {
          roles: ['admin', 'auditor'],
        },
      );
      assert.equal(duplicate.statusCode, 409, 'one open request per subject and change');

      const listed = (await call(t, 'GET', '/api/v1/approvals', second.headers)).json().approvals;
      assert.ok(listed.some((a: { id: string }) => a.id === approval.id));

      const own = await call(t, 'POST', `/api/v1/approvals/${approval.id}/approve`, first.headers);
      assert.equal(own.statusCode, 403);
      assert.equal(own.json().error.reason, 'self_approval');
      const bySubject = await call(
        t,
        'POST',
        `/api/v1/approvals/${approval.id}/approve`,
        subject.headers,
      );
      assert.equal(bySubject.statusCode, 403, 'the subject holds no approvals.decide');

      const ok = await call(t, 'POST', `/api/v1/approvals/${approval.id}/approve`, second.headers, {
        reason: 'checked with the team lead',
      });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().approval.status, 'approved');
      assert.equal(ok.json().approval.decided_by.id, second.id);
      const after = (
        await call(t, 'GET', `/api/v1/principals/${subject.id}`, second.headers)
      ).json();
      assert.ok(after.roles.some((r: { role: string }) => r.role === 'admin'));

      const requested = (await selfEvents(t, 'approval.request')).find(
        (e) => e.target?.id === approval.id,
      );
      assert.equal(requested?.actor.id, first.id);
      assert.equal(requested?.details?.subject_id, subject.id);
      const approved = (await selfEvents(t, 'approval.approve')).filter(
        (e) => e.target?.id === approval.id,
      );
      assert.deepEqual(
        approved.map((e) => [e.actor.id, e.outcome]),
        [
          [first.id, 'denied'],
          [second.id, 'success'],
        ],
      );
      const grant = (await selfEvents(t, 'principal.role_grant')).find(
        (e) => e.details?.approval_id === approval.id,
      );
      assert.equal(grant?.actor.id, second.id);
      assert.equal(grant?.details?.role, 'admin');
      assert.equal(grant?.details?.requested_by, first.id);
    });

    it('removes admin only with a second admin who is not the subject', async () => {
      const ask = await call(t, 'PUT', `/api/v1/principals/${subject.id}/roles`, first.headers, {
        roles: ['auditor'],
      });
      assert.equal(ask.statusCode, 202, ask.body);
      const id = ask.json().approval.id;
      assert.equal(ask.json().approval.change, 'admin_revoke');
      const bySubject = await call(t, 'POST', `/api/v1/approvals/${id}/reject`, subject.headers);
      assert.equal(bySubject.statusCode, 403, 'the subject cannot block their own removal');
      const ok = await call(t, 'POST', `/api/v1/approvals/${id}/approve`, second.headers);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json().principal.roles, [{ role: 'auditor', sources: null }]);
      // At once in this process: the subject's cached token loses admin.
      const tries = await call(t, 'GET', '/api/v1/approvals', subject.headers);
      assert.equal(tries.statusCode, 403);
      const revoke = (await selfEvents(t, 'principal.role_revoke')).find(
        (e) => e.details?.approval_id === id,
      );
      assert.equal(revoke?.details?.role, 'admin');
    });

    it('lets requests expire after 72 hours', async () => {
      const ask = await call(t, 'PUT', `/api/v1/principals/${subject.id}/roles`, first.headers, {
        roles: ['admin', 'auditor'],
      });
      const id = ask.json().approval.id;
      t.clock.advance(72 * 3600 * 1000);
      const late = await call(t, 'POST', `/api/v1/approvals/${id}/approve`, second.headers);
      assert.equal(late.statusCode, 409);
      assert.equal(late.json().error.reason, 'approval_not_pending');
      const expired = await call(t, 'GET', '/api/v1/approvals?status=expired', second.headers);
      assert.ok(expired.json().approvals.some((a: { id: string }) => a.id === id));
      const pending = await call(t, 'GET', '/api/v1/approvals', second.headers);
      assert.ok(!pending.json().approvals.some((a: { id: string }) => a.id === id));
    });
  });

  it('refuses anyone changing their own roles, even a non-admin one, and records the attempt', async () => {
    const me = await t.principal({ roles: ['admin'], name: 'self-raiser' });
    const res = await call(t, 'PUT', `/api/v1/principals/${me.id}/roles`, me.headers, {
      roles: ['admin', 'auditor'],
    });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.reason, 'self_role_change');
    const drop = await call(t, 'PUT', `/api/v1/principals/${me.id}/roles`, me.headers, {
      roles: [],
    });
    assert.equal(drop.statusCode, 403);
    const denied = (await selfEvents(t)).filter(
      (e) => e.actor.id === me.id && e.outcome === 'denied',
    );
    assert.deepEqual(
      denied.map((e) => e.action),
      ['principal.role_grant', 'principal.role_revoke'],
    );
    const account = (await call(t, 'GET', `/api/v1/principals/${me.id}`, me.headers)).json();
    assert.deepEqual(account.roles, [{ role: 'admin', sources: null }]);
  });

  it('applies non-admin role changes at once, one event per role', async () => {
    const admin = await t.principal({ roles: ['admin'] });
    const other = await t.principal({ roles: ['reviewer'], sources: ['billing-*'] });
    const res = await call(t, 'PUT', `/api/v1/principals/${other.id}/roles`, admin.headers, {
      roles: ['auditor', { role: 'reviewer', sources: ['billing-*', 'hr-api'] }],
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().approval, null);
    const events = (await selfEvents(t)).filter((e) => e.target?.id === other.id);
    assert.deepEqual(
      events.map((e) => [e.action, e.details?.role, e.details?.sources]),
      [
        ['principal.role_grant', 'auditor', ['*']],
        ['principal.role_grant', 'reviewer', ['billing-*', 'hr-api']],
      ],
    );
    assert.deepEqual(events[1]!.details?.previous_sources, ['billing-*']);
    const drop = await call(t, 'PUT', `/api/v1/principals/${other.id}/roles`, admin.headers, {
      roles: ['auditor'],
    });
    assert.equal(drop.statusCode, 200);
    const revoke = (await selfEvents(t, 'principal.role_revoke')).at(-1)!;
    assert.deepEqual([revoke.target?.id, revoke.details?.role], [other.id, 'reviewer']);
    assert.equal(revoke.actor.id, admin.id);
  });

  describe('the last admin', () => {
    it('cannot lose admin or be disabled, counting accounts and not the bootstrap token', async () => {
      const fresh = await testServer();
      try {
        const sole = await fresh.principal({ roles: ['admin'], name: 'sole' });
        const req = (method: 'PUT' | 'PATCH', url: string, headers: object, body: unknown) =>
          fresh.app.inject({
            method,
            url,
            headers: { ...headers, 'content-type': 'application/json' },
            payload: JSON.stringify(body),
          });
        const revoke = await req('PUT', `/api/v1/principals/${sole.id}/roles`, fresh.admin, {
          roles: [],
        });
        assert.equal(revoke.statusCode, 409, revoke.body);
        assert.equal(revoke.json().error.reason, 'last_admin');
        const disable = await req('PATCH', `/api/v1/principals/${sole.id}`, fresh.admin, {
          disabled: true,
        });
        assert.equal(disable.statusCode, 409);
        const self = await req('PATCH', `/api/v1/principals/${sole.id}`, sole.headers, {
          disabled: true,
        });
        assert.equal(self.statusCode, 403, 'disabling yourself is refused first');

        // With a second admin account, one may be disabled — and then the other is the last.
        const spare = await fresh.principal({ roles: ['admin'], name: 'spare' });
        const ok = await req('PATCH', `/api/v1/principals/${spare.id}`, sole.headers, {
          disabled: true,
        });
        assert.equal(ok.statusCode, 200, ok.body);
        assert.equal(ok.json().disabled, true);
        const gone = await fresh.app.inject({ url: '/api/v1/whoami', headers: spare.headers });
        assert.equal(gone.statusCode, 401, 'a disabled account is refused at once');
        const last = await req('PATCH', `/api/v1/principals/${sole.id}`, fresh.admin, {
          disabled: true,
        });
        assert.equal(last.statusCode, 409);
        const enable = await req('PATCH', `/api/v1/principals/${spare.id}`, sole.headers, {
          disabled: false,
        });
        assert.equal(enable.statusCode, 200);
        const actions = (await selfEvents(fresh))
          .filter((e) => e.target?.id === spare.id || e.target?.id === sole.id)
          .map((e) => `${e.action}:${e.outcome}`);
        assert.deepEqual(actions, [
          'principal.disable:denied',
          'principal.disable:denied',
          'principal.disable:success',
          'principal.disable:denied',
          'principal.enable:success',
        ]);
      } finally {
        await fresh.close();
      }
    });
  });

  it('documents every principal, token, approval, four-eyes and whoami route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ url: '/api/v1/openapi.json' })).json();
    const mine = registeredRoutes(t.app).filter(
      (r) =>
        r.method !== 'HEAD' &&
        /^\/api\/v1\/(principals|tokens|approvals|whoami|settings\/four-eyes)/.test(r.url),
    );
    assert.equal(mine.length, 16);
    for (const r of mine) {
      const path = r.url.replace(/:([a-z_]+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[r.method.toLowerCase()], `${r.method} ${r.url} is documented`);
    }
  });

  describe('profiles and passwords', () => {
    it('changes profile fields and resets a password; never returns the hash', async () => {
      const admin = await t.principal({ roles: ['admin'] });
      const made = await call(t, 'POST', '/api/v1/principals', admin.headers, {
        kind: 'person',
        name: 'carol@example.org',
        password: PASSWORD,
        roles: [{ role: 'reviewer', sources: ['billing-*'] }],
      });
      // Its creator set its password: the reading role waits for a second admin.
      assert.equal(made.statusCode, 202, made.body);
      const other = await t.principal({ roles: ['admin'] });
      const approved = await call(
        t,
        'POST',
        `/api/v1/approvals/${made.json().approval.id}/approve`,
        other.headers,
      );
      assert.equal(approved.statusCode, 200, approved.body);
      const id = made.json().principal.id;
      const res = await call(t, 'PATCH', `/api/v1/principals/${id}`, admin.headers, {
        display_name: 'Carol',
        email: null,
        password: 'another long passphrase',
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().display_name, 'Carol');
      assert.doesNotMatch(res.body, /scrypt/);
      const update = (await selfEvents(t, 'principal.update')).at(-1)!;
      assert.deepEqual(update.details?.fields, ['display_name', 'password']);
      const list = await call(t, 'GET', '/api/v1/principals?role=reviewer', admin.headers);
      assert.ok(list.json().principals.some((p: { id: string }) => p.id === id));
      assert.doesNotMatch(list.body, /scrypt/);
    });

    it("refuses resetting another admin's password while other admins exist", async () => {
      const one = await t.principal({ roles: ['admin'] });
      const made = await call(t, 'POST', '/api/v1/principals', t.admin, {
        kind: 'person',
        name: 'dave',
      });
      const dave = made.json().principal.id;
      const ask = await call(t, 'PUT', `/api/v1/principals/${dave}/roles`, one.headers, {
        roles: ['admin'],
      });
      const other = await t.principal({ roles: ['admin'] });
      const approve = await call(
        t,
        'POST',
        `/api/v1/approvals/${ask.json().approval.id}/approve`,
        other.headers,
      );
      assert.equal(approve.statusCode, 200, approve.body);
      const reset = await call(t, 'PATCH', `/api/v1/principals/${dave}`, one.headers, {
        password: 'i know your password now',
      });
      assert.equal(reset.statusCode, 403);
      assert.equal(reset.json().error.reason, 'acts_as_two_admins');
    });

    it('rejects bad bodies with 400 and the path to fix', async () => {
      const admin = await t.principal({ roles: ['admin'] });
      const cases: [unknown, string][] = [
        [{ kind: 'person', name: 'x', rolse: [] }, 'rolse'],
        [{ kind: 'robot', name: 'x' }, 'kind'],
        [{ kind: 'person', name: 'Upper Case' }, 'name'],
        [{ kind: 'person', name: 'x', password: 'short' }, 'password'],
        [{ kind: 'service', name: 'x', password: PASSWORD }, 'password'],
        [{ kind: 'person', name: 'x', roles: ['root'] }, 'roles[0].role'],
        [
          { kind: 'person', name: 'x', roles: [{ role: 'admin', sources: ['a'] }] },
          'roles[0].sources',
        ],
        [
          { kind: 'person', name: 'x', roles: [{ role: 'reviewer', sources: ['a b'] }] },
          'roles[0].sources[0]',
        ],
        [{ kind: 'person', name: 'x', oidc_subject: 'abc' }, 'oidc_issuer'],
        [{ kind: 'person', name: 'x', oidc_subject: 'a', oidc_issuer: 'ftp://idp' }, 'oidc_issuer'],
        [{ kind: 'person', name: 'x', email: 'no-at-sign' }, 'email'],
      ];
      for (const [body, path] of cases) {
        const res = await call(t, 'POST', '/api/v1/principals', admin.headers, body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
        assert.equal(res.json().error.path, path, JSON.stringify(body));
      }
      const notJson = await t.app.inject({
        method: 'POST',
        url: '/api/v1/principals',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        payload: '{"kind":',
      });
      assert.equal(notJson.statusCode, 400);
      // A repeated key is refused, not last-wins: what was checked is what was meant.
      const repeated = await t.app.inject({
        method: 'POST',
        url: '/api/v1/principals',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        payload: '{"kind":"person","name":"eve","roles":[],"roles":["admin"]}',
      });
      assert.equal(repeated.statusCode, 400);
      assert.equal(repeated.json().error.path, '$.roles');
      assert.match(repeated.json().error.message, /duplicate key/);
      assert.equal(repeated.json().error.reason, 'malformed_json');
      const patch = await call(t, 'PATCH', `/api/v1/principals/${admin.id}`, admin.headers, {});
      assert.equal(patch.statusCode, 400);
      const dup = await call(t, 'POST', '/api/v1/principals', admin.headers, {
        kind: 'person',
        name: 'ada',
      });
      assert.equal(dup.statusCode, 409);
      const missing = await call(t, 'GET', '/api/v1/principals/nobody', admin.headers);
      assert.equal(missing.statusCode, 404);
    });
  });
});
