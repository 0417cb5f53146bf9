/**
 * `evident login --oidc` end to end: a real `evident serve` configured for a real OpenID
 * provider (oidc-provider), the real CLI waiting on loopback, and a scripted browser that
 * opens the URL the CLI printed and walks the provider's pages back to the CLI.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { OIDC_CALLBACK_PATH } from '../../src/access/sign-in/oidc-settings.js';
import { Browser } from '../support/browser.js';
import { startOpenIdProvider, type TestOpenIdProvider } from '../support/oidc-provider.js';
import {
  type CliResult,
  freePort,
  killAllChildren,
  runCli,
  type ServerProcess,
  startServe,
  tempDir,
} from '../support/processes.js';

const SIGN_IN_URL = /^ {2}(http:\/\/\S+\/api\/v1\/auth\/oidc\/start\?\S+)$/m;

describe('evident login --oidc, end to end', () => {
  let dir: string;
  let home: string;
  let op: TestOpenIdProvider;
  let server: ServerProcess;
  let url: string;
  let admin: string;

  const env = () => ({ HOME: home, XDG_CONFIG_HOME: join(home, 'config') });
  const ok = (res: CliResult) => {
    assert.equal(res.code, 0, `stdout: ${res.stdout}\nstderr: ${res.stderr}`);
    return res;
  };

  /** Runs `evident login --oidc`, hands the printed URL to `browse`, and waits for the CLI. */
  const loginWith = async (browse: (signInUrl: URL) => Promise<void>) => {
    let announced: (u: URL) => void;
    const printed = new Promise<URL>((resolve) => {
      announced = resolve;
    });
    const done = runCli(['login', '--oidc', '--url', url], {
      env: env(),
      onStderr: (text) => {
        const match = SIGN_IN_URL.exec(text);
        if (match) announced(new URL(match[1]!));
      },
    });
    const signInUrl = await Promise.race([
      printed,
      done.then((r) => {
        throw new Error(`the CLI ended before printing a URL: ${r.stderr}`);
      }),
    ]);
    await browse(signInUrl);
    return { result: await done, signInUrl };
  };

  /** The browser: Evident's start, the provider's pages, Evident's callback; returns where it is sent. */
  const walk = async (b: Browser, signInUrl: URL): Promise<URL> => {
    const start = await b.request(signInUrl);
    assert.equal(start.status, 302, await start.text());
    const { next } = await b.follow(
      new URL(start.headers.get('location')!),
      (u) => u.pathname === OIDC_CALLBACK_PATH,
    );
    assert.ok(next, 'the provider sends the browser back to Evident');
    const callback = await b.request(next);
    assert.equal(callback.status, 302, await callback.text());
    return new URL(callback.headers.get('location')!);
  };

  before(async () => {
    dir = tempDir();
    home = tempDir('evident-home-');
    const port = await freePort();
    const redirectUri = `http://127.0.0.1:${port}${OIDC_CALLBACK_PATH}`;
    op = await startOpenIdProvider({
      clients: [
        { clientId: 'evident', clientSecret: 'evident-client-secret-0123456789', redirectUri },
      ],
    });
    server = await startServe({
      dataDir: dir,
      port,
      env: {
        EVIDENT_OIDC_ISSUER: op.issuer,
        EVIDENT_OIDC_CLIENT_ID: 'evident',
        EVIDENT_OIDC_CLIENT_SECRET: 'evident-client-secret-0123456789',
        EVIDENT_OIDC_REDIRECT_URL: redirectUri,
      },
    });
    url = server.url;
    admin = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
    ok(
      await runCli(
        [
          'principals',
          'create',
          'ada',
          '--role',
          'auditor',
          '--oidc-issuer',
          op.issuer,
          '--oidc-subject',
          'ada-sub',
          '--url',
          url,
          '--token',
          admin,
        ],
        { env: env() },
      ),
    );
  });

  after(async () => {
    await server?.kill();
    await killAllChildren();
    await op?.close();
    for (const d of [dir, home]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('signs in through the browser and stores a token; the code works once, and only with the verifier', async () => {
    op.user = 'ada-sub';
    let handedTo: URL | undefined;
    const { result, signInUrl } = await loginWith(async (signInUrl) => {
      const b = new Browser();
      handedTo = await walk(b, signInUrl);
      // Someone else's request to the listener (no state, wrong state) is turned away…
      const stray = await fetch(`${handedTo.origin}${handedTo.pathname}?code=x&state=wrong-state`);
      assert.equal(stray.status, 400);
      // …and the browser's is taken.
      const back = await b.request(handedTo);
      assert.equal(back.status, 200);
      assert.match(await back.text(), /Signed in to Evident/);
    });
    ok(result);
    assert.match(result.stdout, /Signed in to .* as ada\./);
    const challenge = signInUrl.searchParams.get('cli_challenge')!;
    assert.match(challenge, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(handedTo!.hostname, '127.0.0.1');
    assert.equal(handedTo!.searchParams.get('state'), signInUrl.searchParams.get('cli_state'));

    const stored = JSON.parse(
      readFileSync(join(home, 'config', 'evident', 'credentials.json'), 'utf8'),
    );
    assert.equal(stored.logins[url].method, 'oidc');
    const who = ok(await runCli(['whoami', '--url', url], { env: env() }));
    assert.match(who.stdout, /^person ada/);
    assert.match(who.stdout, /roles: auditor/);

    // The code was redeemed by the CLI: a replay, even with a verifier, is refused.
    const replay = await fetch(`${url}/api/v1/auth/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: handedTo!.searchParams.get('code'),
        code_verifier: 'v'.repeat(43),
      }),
    });
    assert.equal(replay.status, 401);
  });

  it("a code taken from the redirect is useless without the CLI's verifier, and burnt by the try", async () => {
    op.user = 'ada-sub';
    // An attacker's own start: their challenge, a listener of theirs that never answers.
    const verifier = 'a'.repeat(43);
    const start = new URL(`${url}/api/v1/auth/oidc/start`);
    start.searchParams.set('cli_redirect', 'http://127.0.0.1:9/callback');
    start.searchParams.set(
      'cli_challenge',
      createHash('sha256').update(verifier).digest('base64url'),
    );
    start.searchParams.set('cli_state', 's'.repeat(22));
    const handedTo = await walk(new Browser(), start);
    const code = handedTo.searchParams.get('code')!;
    const exchange = (v: string) =>
      fetch(`${url}/api/v1/auth/cli/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, code_verifier: v }),
      });
    const wrong = await exchange('b'.repeat(43));
    assert.equal(wrong.status, 401);
    const right = await exchange(verifier);
    assert.equal(right.status, 401, 'a wrong verifier burns the code');
  });

  it('only hands off to a loopback listener', async () => {
    for (const [redirect, path] of [
      ['http://evil.example/callback', 'cli_redirect'],
      ['http://localhost:8000/callback', 'cli_redirect'],
      ['https://127.0.0.1:8000/callback', 'cli_redirect'],
      ['http://127.0.0.1/callback', 'cli_redirect'],
      ['http://127.0.0.1:8000/callback?x=1', 'cli_redirect'],
      ['http://user@127.0.0.1:8000/callback', 'cli_redirect'],
    ]) {
      const start = new URL(`${url}/api/v1/auth/oidc/start`);
      start.searchParams.set('cli_redirect', redirect!);
      start.searchParams.set('cli_challenge', 'c'.repeat(43));
      start.searchParams.set('cli_state', 's'.repeat(22));
      const res = await fetch(start, { redirect: 'manual' });
      assert.equal(res.status, 400, redirect);
      assert.equal(((await res.json()) as { error: { path: string } }).error.path, path);
    }
    const noChallenge = await fetch(
      `${url}/api/v1/auth/oidc/start?cli_redirect=${encodeURIComponent('http://127.0.0.1:8000/cb')}&cli_state=${'s'.repeat(22)}`,
      { redirect: 'manual' },
    );
    assert.equal(
      ((await noChallenge.json()) as { error: { path: string } }).error.path,
      'cli_challenge',
    );
  });

  it('--oidc takes no name or password', async () => {
    const res = await runCli(['login', '--oidc', '--url', url, '--name', 'ada'], { env: env() });
    assert.equal(res.code, 1);
    assert.match(res.stderr, /no --name or --password-stdin/);
  });
});
