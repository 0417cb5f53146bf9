import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { person, signIn } from '../support/sign-in.js';
import { type TestServer, testServer } from '../support/test-server.js';

/** Whoever knew the old password may hold a session: an admin's reset or disabling ends it. */
describe('an admin resetting a password or disabling an account ends its sessions', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  for (const [what, patch] of [
    ['password reset', { password: 'a brand new passphrase 9' }],
    ['disabling', { disabled: true }],
  ] as const) {
    it(`after a ${what}`, async () => {
      const account = await person(t);
      const session = await signIn(t, account.name);
      const before = await t.app.inject({ url: '/api/v1/whoami', headers: session.get });
      assert.equal(before.statusCode, 200);
      const res = await t.app.inject({
        method: 'PATCH',
        url: `/api/v1/principals/${account.id}`,
        headers: { ...t.admin, 'content-type': 'application/json' },
        payload: JSON.stringify(patch),
      });
      assert.equal(res.statusCode, 200, res.body);
      const afterwards = await t.app.inject({ url: '/api/v1/whoami', headers: session.get });
      assert.equal(afterwards.statusCode, 401);
    });
  }
});
