/**
 * `evident login` / `logout` through real CLI processes against a real server, with the
 * config folder in a temp dir: the stored login, the order credentials are taken in, and
 * what a person is told when a login has expired or the bootstrap token is turned off.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type CliResult,
  killAllChildren,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const PASSWORD = 'correct horse battery staple';

interface CredentialsJson {
  version: number;
  logins: Record<
    string,
    { url: string; token: string; token_id: string; name: string; expires_at: string }
  >;
}

describe('evident login and logout, end to end', () => {
  let dir: string;
  let home: string;
  let server: ServerProcess;
  let url: string;
  let admin: string;

  const configDir = () => join(home, 'config', 'evident');
  const credentials = () => join(configDir(), 'credentials.json');
  const stored = () => JSON.parse(readFileSync(credentials(), 'utf8')) as CredentialsJson;
  /** The CLI as the person: their config folder, no token unless given. */
  const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
    runCli(args, {
      env: { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), ...options.env },
      ...(options.input === undefined ? {} : { input: options.input }),
    });
  const ok = (res: CliResult) => {
    assert.equal(res.code, 0, `stdout: ${res.stdout}\nstderr: ${res.stderr}`);
    return res;
  };
  const login = (name: string, password = PASSWORD, at = url) =>
    cli(['login', '--url', at, '--name', name, '--password-stdin'], { input: `${password}\n` });

  before(async () => {
    dir = tempDir();
    home = tempDir('evident-home-');
    server = await startServe({ dataDir: dir });
    url = server.url;
    admin = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    for (const [name, role] of [
      ['rita', 'reviewer'],
      ['grace', 'admin'],
    ]) {
      ok(
        await cli(
          [
            'principals',
            'create',
            name!,
            '--role',
            role!,
            '--password-stdin',
            '--url',
            url,
            '--token',
            admin,
          ],
          { input: PASSWORD },
        ),
      );
    }
  });

  after(async () => {
    await server?.kill();
    await killAllChildren();
    for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('stores a short-lived token for the server, readable only by its owner', async () => {
    const res = ok(await login('rita'));
    assert.match(
      res.stdout,
      new RegExp(`Signed in to ${url} as rita\\. A token until \\S+ is stored in ${credentials()}`),
    );
    assert.equal(statSync(configDir()).mode & 0o777, 0o700);
    assert.equal(statSync(credentials()).mode & 0o777, 0o600);
    const entry = stored().logins[url]!;
    assert.equal(entry.name, 'rita');
    assert.match(entry.token, /^evt_/);
    const ttl = Date.parse(entry.expires_at) - Date.now();
    assert.ok(ttl > 11 * 3_600_000 && ttl <= 12 * 3_600_000, `expires in ${ttl} ms`);
    assert.doesNotMatch(res.stdout + res.stderr, new RegExp(entry.token));
  });

  it('every API command uses it, for that URL and as the default URL, and whoami says so', async () => {
    const who = ok(await cli(['whoami', '--url', url]));
    assert.match(who.stdout, /^person rita/);
    assert.match(who.stdout, /token from stored login \(evident login\)/);
    // The only stored login also supplies the URL.
    const implicit = ok(await cli(['whoami', '--json']));
    const me = JSON.parse(implicit.stdout);
    assert.equal(me.name, 'rita');
    assert.equal(me.server, url);
    const list = ok(await cli(['alerts', 'list', '--json']));
    assert.equal(list.stderr, '');
    // The token is labelled as a CLI login, so `tokens list` shows where it came from.
    const tokens = ok(await cli(['tokens', 'list', '--json']));
    assert.match(tokens.stdout, /cli-login@/);
  });

  it('--token and EVIDENT_TOKEN come before the stored login', async () => {
    const flag = ok(await cli(['whoami', '--token', admin]));
    assert.match(flag.stdout, /token from --token/);
    assert.match(flag.stdout, /bootstrap/);
    const env = ok(await cli(['whoami'], { env: { EVIDENT_TOKEN: admin } }));
    assert.match(env.stdout, /token from EVIDENT_TOKEN/);
  });

  it('warns when the credentials file has become readable by others', async () => {
    chmodSync(credentials(), 0o644);
    try {
      const res = ok(await cli(['whoami', '--url', url]));
      assert.match(res.stderr, /readable by others \(mode 644\); run `chmod 600 /);
    } finally {
      chmodSync(credentials(), 0o600);
    }
    const quiet = ok(await cli(['whoami', '--url', url]));
    assert.equal(quiet.stderr, '');
  });

  it('a wrong password stores nothing and says sign-in failed', async () => {
    const before = readFileSync(credentials(), 'utf8');
    const res = await login('grace', 'not the password');
    assert.equal(res.code, 1);
    assert.match(res.stderr, /sign-in failed: wrong name or password/);
    assert.equal(readFileSync(credentials(), 'utf8'), before);
    const noName = await cli(['login', '--url', url, '--password-stdin'], { input: PASSWORD });
    assert.equal(noName.code, 1);
    assert.match(noName.stderr, /--name/);
  });

  it('logout revokes the token on the server and forgets it here', async () => {
    const token = stored().logins[url]!.token;
    const res = ok(await cli(['logout', '--url', url]));
    assert.match(res.stdout, /Signed out of .* as rita: revoked on the server/);
    assert.equal(stored().logins[url], undefined);
    const refused = await cli(['whoami', '--url', url, '--token', token]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /invalid, expired, revoked or malformed token/);
    const again = await cli(['logout', '--url', url]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no stored login for/);
  });

  it('an expired login says when it expired and how to sign in again', async () => {
    mkdirSync(configDir(), { recursive: true });
    const expired = {
      url,
      token: `evt_0123456789abcdef_${'x'.repeat(43)}`,
      token_id: '0123456789abcdef',
      principal_id: 'p',
      name: 'rita',
      method: 'password',
      created_at: '2026-01-01T00:00:00.000Z',
      expires_at: '2026-01-01T12:00:00.000Z',
    };
    writeFileSync(credentials(), JSON.stringify({ version: 1, logins: { [url]: expired } }));
    const res = await cli(['alerts', 'list', '--url', url]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      new RegExp(
        `your login as rita at ${url} expired at 2026-01-01T12:00:00.000Z; sign in again with \`evident login --url ${url}\``,
      ),
    );
    const out = ok(await cli(['logout', '--url', url]));
    assert.match(out.stdout, /already expired or been revoked/);
    assert.ok(!JSON.stringify(stored()).includes(expired.token));
  });

  it('with the bootstrap token off, the token file beside you gets "evident login", not "invalid token"', async () => {
    await server.stop();
    server = await startServe({ dataDir: dir, env: { EVIDENT_BOOTSTRAP_TOKEN: 'off' } });
    url = server.url;
    const res = await cli(['alerts', 'list', '--url', url, '--data', dir]);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /has the bootstrap admin token turned off/);
    assert.match(res.stderr, new RegExp(`evident login --url ${url}`));
    assert.doesNotMatch(res.stderr, /invalid/);
    ok(await login('rita'));
    const who = ok(await cli(['whoami', '--url', url, '--data', dir]));
    assert.match(who.stdout, /^person rita/);
  });

  it('without XDG_CONFIG_HOME the login lives in ~/.config/evident', async () => {
    const res = ok(
      await cli(['login', '--url', url, '--name', 'grace', '--password-stdin'], {
        input: PASSWORD,
        env: { XDG_CONFIG_HOME: '' },
      }),
    );
    const file = join(home, '.config', 'evident', 'credentials.json');
    assert.match(res.stdout, new RegExp(file));
    assert.ok(existsSync(file));
    const who = ok(await cli(['whoami', '--url', url], { env: { XDG_CONFIG_HOME: '' } }));
    assert.match(who.stdout, /^person grace/);
  });
});
