/**
 * `evident principals|tokens|approvals|whoami` as child processes against a real server on
 * loopback: the commands people type, their output, and their errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { killAllChildren, runCli } from '../support/processes.js';
import { ADMIN_TOKEN, type TestServer, testServer } from '../support/test-server.js';

const PASSWORD = 'correct horse battery staple';

describe('the principals, tokens, approvals and whoami commands', () => {
  let t: TestServer;
  let url: string;

  before(async () => {
    t = await testServer();
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await killAllChildren();
    await t.close();
  });

  const cli = async (args: string[], token: string, input?: string) =>
    runCli([...args, '--url', url, '--token', token], input === undefined ? {} : { input });
  const ok = async (args: string[], token: string, input?: string) => {
    const res = await cli(args, token, input);
    assert.equal(res.code, 0, `evident ${args.join(' ')}\n${res.stdout}\n${res.stderr}`);
    return res;
  };

  it('creates the first admin with a password from stdin, then asks four-eyes for the next', async () => {
    const ada = await ok(
      [
        'principals',
        'create',
        'ada',
        '--role',
        'admin',
        '--role',
        'auditor:billing-*,hr-api',
        '--display-name',
        'Ada Lovelace',
        '--password-stdin',
      ],
      ADMIN_TOKEN,
      `${PASSWORD}\n`,
    );
    assert.match(ada.stdout, /roles\s+admin auditor\(billing-\*,hr-api\)/);
    assert.match(ada.stdout, /sign-in\s+password/);

    const bob = await ok(
      ['principals', 'create', 'bob', '--role', 'admin', '--role', 'reviewer', '--json'],
      ADMIN_TOKEN,
    );
    const { principal, approval } = JSON.parse(bob.stdout);
    assert.deepEqual(principal.roles, [{ role: 'reviewer', sources: null }]);
    assert.equal(approval.status, 'pending');

    const second = await t.principal({ roles: ['admin'], name: 'second' });
    const token = second.authorization.slice('Bearer '.length);
    const listed = await ok(['approvals', 'list'], token);
    assert.match(listed.stdout, new RegExp(approval.id));
    const approved = await ok(['approvals', 'approve', approval.id, '--reason', 'ok'], token);
    assert.match(approved.stdout, /approved/);
    assert.match(approved.stdout, /bob now holds: admin reviewer/);

    const shown = await ok(['principals', 'show', 'bob'], token);
    assert.match(shown.stdout, /roles\s+admin reviewer/);
    const list = await ok(['principals', 'list', '--role', 'admin', '--json'], token);
    assert.deepEqual(
      JSON.parse(list.stdout)
        .map((p: { name: string }) => p.name)
        .sort(),
      ['ada', 'bob', 'second'],
    );
  });

  it('shows four-eyes for reader grants, and refuses turning it off with several admins', async () => {
    const admin = await t.principal({ roles: ['admin'], name: 'settings-admin' });
    const token = admin.authorization.slice('Bearer '.length);
    const shown = await ok(['approvals', 'reader-grants'], token);
    assert.match(shown.stdout, /Four-eyes for reader grants: on/);
    const off = await cli(['approvals', 'reader-grants', 'off'], token);
    assert.notEqual(off.code, 0);
    assert.match(off.stderr, /only where one person administers the log/);
  });

  it('changes roles, disables and enables, and resets a password from stdin', async () => {
    const admin = (await t.principal({ roles: ['admin'] })).authorization.slice(7);
    await ok(['principals', 'create', 'carol', '--role', 'reviewer:billing-*'], admin);
    const roles = await ok(['principals', 'roles', 'carol', '--role', 'auditor'], admin);
    assert.match(roles.stdout, /roles\s+auditor$/m);
    const disabled = await ok(['principals', 'disable', 'carol'], admin);
    assert.match(disabled.stdout, /DISABLED/);
    await ok(['principals', 'enable', 'carol'], admin);
    await ok(
      ['principals', 'reset-password', 'carol', '--password-stdin'],
      admin,
      'a new long passphrase\n',
    );
    const events = await t.log.store.search({
      source: 'evident',
      action: 'principal.update',
      limit: 10,
    });
    assert.match(events[0]!.record, /"password"/);

    const noRoles = await cli(['principals', 'roles', 'carol'], admin);
    assert.notEqual(noRoles.code, 0);
    assert.match(noRoles.stderr, /--role, or --none/);
    const noTty = await cli(['principals', 'create', 'dave', '--password'], admin);
    assert.notEqual(noTty.code, 0);
    assert.match(noTty.stderr, /--password-stdin/);
    const unknown = await cli(['principals', 'show', 'nobody'], admin);
    assert.match(unknown.stderr, /no principal with id or name "nobody"/);
  });

  it('makes, shows, lists and revokes tokens; whoami says who a token is', async () => {
    const me = await t.principal({ roles: ['auditor', 'reviewer'], name: 'tokenmaker' });
    const mine = me.authorization.slice(7);
    const made = await ok(
      ['tokens', 'create', '--label', 'laptop', '--role', 'reviewer', '--expires-in-days', '7'],
      mine,
    );
    const token = made.stdout.trim();
    assert.match(token, /^evt_[0-9a-f]{16}_\S+$/);
    assert.match(made.stderr, /shown only now/);

    const who = await ok(['whoami'], token);
    assert.match(who.stdout, /person tokenmaker/);
    assert.match(who.stdout, /roles: reviewer$/m);
    assert.match(who.stdout, /expires 2026-11-29T09:00:00\.000Z/);

    const id = token.slice(4, 20);
    const list = await ok(['tokens', 'list'], mine);
    assert.match(list.stdout, new RegExp(id));
    await ok(['tokens', 'revoke', id], mine);
    const after = await cli(['whoami'], token);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /invalid, expired, revoked or malformed token/);
  });

  it('makes tokens for a service with --for', async () => {
    const admin = (await t.principal({ roles: ['admin'] })).authorization.slice(7);
    await ok(['principals', 'create', 'exporter', '--kind', 'service', '--role', 'auditor'], admin);
    const made = await ok(['tokens', 'create', '--for', 'exporter', '--json'], admin);
    const token = JSON.parse(made.stdout).token as string;
    const who = await ok(['whoami', '--json'], token);
    assert.equal(JSON.parse(who.stdout).kind, 'service');
    const listed = await ok(['tokens', 'list', '--for', 'exporter'], admin);
    assert.match(listed.stdout, /active/);
  });
});
