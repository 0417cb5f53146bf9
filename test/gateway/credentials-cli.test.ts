/**
 * `evident gateway credentials` and `evident gateway grants` as child processes against a
 * real server on loopback: a person mints their own credential after sign-in, an admin
 * keeps the policy.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { killAllChildren, runCli } from '../support/processes.js';
import { type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

describe('evident gateway credentials and grants over the API', () => {
  let t: TestServer;
  let url: string;
  let ada: TestPrincipal;
  let admin: TestPrincipal;

  before(async () => {
    t = await testServer();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    ada = await t.principal({ name: 'ada' });
    admin = await t.principal({ name: 'root', roles: ['admin'] });
  });
  after(async () => {
    await killAllChildren();
    await t.close();
  });

  const cli = (args: string[], who: TestPrincipal) =>
    runCli([...args, '--url', url, '--token', who.authorization.replace(/^Bearer /, '')]);

  it('create --url mints your own; the lifetime must be given', async () => {
    const missing = await cli(['gateway', 'credentials', 'create'], ada);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /--expires-in-hours/);
    const made = await cli(
      ['gateway', 'credentials', 'create', '--expires-in-hours', '4', '--label', 'laptop'],
      ada,
    );
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout.trim(), /^evg_[A-Za-z0-9_-]{32}$/);
    assert.match(made.stderr, /user=ada/);
    const list = await cli(['gateway', 'credentials', 'list', '--json'], ada);
    assert.equal(list.code, 0, list.stderr);
    const [own] = JSON.parse(list.stdout) as { id: string; status: string; label: string }[];
    assert.equal(own?.status, 'active');
    assert.equal(own?.label, 'laptop');
    const revoked = await cli(['gateway', 'credentials', 'revoke', '--id', own!.id], ada);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Revoked gateway credential/);
  });

  it('grants add|list|revoke for admins; a person without the role is refused', async () => {
    const refused = await cli(
      [
        'gateway',
        'grants',
        'add',
        '--role',
        'auditor',
        '--database',
        'app',
        '--upstream-role',
        'ro',
      ],
      ada,
    );
    assert.notEqual(refused.code, 0);
    const added = await cli(
      [
        'gateway',
        'grants',
        'add',
        '--person',
        'ada',
        '--database',
        'app',
        '--upstream-role',
        'ro',
        '--json',
      ],
      admin,
    );
    assert.equal(added.code, 0, added.stderr);
    const grant = JSON.parse(added.stdout) as { id: string; person: string };
    assert.equal(grant.person, ada.id);
    const list = await cli(['gateway', 'grants', 'list', '--json'], admin);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { id: string }[]).map((g) => g.id),
      [grant.id],
    );
    const gone = await cli(['gateway', 'grants', 'revoke', grant.id], admin);
    assert.equal(gone.code, 0, gone.stderr);
    const all = await cli(['gateway', 'credentials', 'list', '--all', '--json'], admin);
    assert.equal((JSON.parse(all.stdout) as unknown[]).length, 1);
  });
});
