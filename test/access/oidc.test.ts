import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AccountDirectory, type AccountRecord } from '../../src/access/accounts/accounts.js';
import { OIDC_FLOW_TTL_MS } from '../../src/access/sign-in/oidc.js';
import { OIDC_CALLBACK_PATH } from '../../src/access/sign-in/oidc-settings.js';
import { SESSION_COOKIE } from '../../src/server/context.js';
import {
  insertOidcFlow,
  oidcFlowById,
} from '../../src/store/tables/credentials/oidc-flows-table.js';
import { Browser } from '../support/browser.js';
import {
  listenOnLoopback,
  startOpenIdProvider,
  type TestClient,
  type TestOpenIdProvider,
} from '../support/oidc-provider.js';
import { person, selfEvents, setCookies, TEST_SCRYPT } from '../support/sign-in.js';
import { type TestServer, testServer } from '../support/test-server.js';

/**
 * OpenID Connect sign-in end to end: Evident listens on a real loopback port, a real
 * provider (oidc-provider) runs beside it, and a scripted browser walks the redirects, so
 * discovery, PKCE, the code exchange and ID token validation all happen for real.
 */
describe('OpenID Connect sign-in against a real provider', () => {
  let evidentServer: Server;
  let evidentUrl: string;
  let op: TestOpenIdProvider;
  let t: TestServer;
  let evident: TestClient;
  let other: TestClient;
  let ada: AccountRecord;

  before(async () => {
    evidentServer = createServer();
    evidentUrl = await listenOnLoopback(evidentServer);
    evident = {
      clientId: 'evident',
      clientSecret: 'evident-client-secret-0123456789',
      redirectUri: `${evidentUrl}${OIDC_CALLBACK_PATH}`,
    };
    // Another application registered at the same provider (for the wrong-audience test).
    other = {
      clientId: 'other-app',
      clientSecret: 'other-client-secret-0123456789',
      redirectUri: 'http://127.0.0.1:9/other/callback',
    };
    op = await startOpenIdProvider({
      clients: [evident, other],
      emails: { 'stranger-sub': 'stranger@example.test' },
    });
    t = await testServer({
      signIn: {
        passwordParams: TEST_SCRYPT,
        oidc: {
          issuer: op.issuer,
          clientId: evident.clientId,
          clientSecret: evident.clientSecret,
          redirectUrl: evident.redirectUri,
        },
      },
    });
    evidentServer.on('request', (req, res) => t.app.routing(req, res));
    ada = await person(t, {
      name: 'ada',
      password: null,
      grants: [{ role: 'auditor' }],
      oidc: { issuer: op.issuer, subject: 'ada-sub' },
    });
  });
  after(async () => {
    evidentServer.closeAllConnections();
    await new Promise((resolve) => evidentServer.close(resolve));
    await t.close();
    await op.close();
  });

  /** Starts at Evident and walks the provider's pages up to (not into) Evident's callback. */
  const startFlow = async (b: Browser, returnTo = '/') => {
    const start = await b.request(
      `${evidentUrl}/api/v1/auth/oidc/start?return_to=${encodeURIComponent(returnTo)}`,
    );
    assert.equal(start.status, 302, await start.text());
    const flowCookie = setCookies({ headers: { 'set-cookie': start.headers.getSetCookie() } });
    assert.equal(flowCookie[0]?.name, 'evident_oidc');
    assert.equal(flowCookie[0]?.attributes.get('httponly'), '');
    assert.equal(flowCookie[0]?.attributes.get('samesite'), 'Lax');
    assert.equal(flowCookie[0]?.attributes.get('path'), '/api/v1/auth/oidc');
    assert.equal(flowCookie[0]?.attributes.get('max-age'), '600');
    const authorize = new URL(start.headers.get('location')!);
    const { next } = await b.follow(authorize, (u) => u.pathname === OIDC_CALLBACK_PATH);
    assert.ok(next, 'the provider sends the browser back to the callback');
    return { authorize, callback: next, state: authorize.searchParams.get('state')! };
  };
  const lastSignIn = async () => (await selfEvents(t, 'session.sign_in'))[0]!;
  const errorOf = async (res: Response) =>
    ((await res.json()) as { error: { code: string; message: string } }).error;

  it('signs a linked person in: PKCE S256, a fresh session cookie, back to the return path', async () => {
    op.user = 'ada-sub';
    const b = new Browser();
    const planted = 'P'.repeat(43);
    b.cookies.set(SESSION_COOKIE, { value: planted, path: '/' });
    const { authorize, callback } = await startFlow(b, '/dashboard?tab=alerts');
    assert.equal(authorize.origin, op.issuer);
    assert.equal(authorize.searchParams.get('client_id'), 'evident');
    assert.equal(authorize.searchParams.get('redirect_uri'), evident.redirectUri);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authorize.searchParams.get('code_challenge')!, /^[A-Za-z0-9_-]{43}$/);
    assert.ok(authorize.searchParams.get('nonce'));
    assert.ok(authorize.searchParams.get('scope')!.split(' ').includes('openid'));
    assert.ok(callback.searchParams.get('code'));

    const res = await b.request(callback);
    assert.equal(res.status, 302, await res.text());
    assert.equal(res.headers.get('location'), '/dashboard?tab=alerts');
    const cookie = setCookies({ headers: { 'set-cookie': res.headers.getSetCookie() } }).find(
      (c) => c.name === SESSION_COOKIE,
    )!;
    assert.notEqual(cookie.value, planted, 'a new session id, never the one brought along');
    assert.equal(cookie.attributes.get('samesite'), 'Strict');
    assert.equal(cookie.attributes.get('httponly'), '');

    const info = await b.request(`${evidentUrl}/api/v1/auth/session`);
    assert.equal(info.status, 200);
    const body = (await info.json()) as {
      principal: { id: string };
      session: { method: string };
    };
    assert.equal(body.principal.id, ada.id);
    assert.equal(body.session.method, 'oidc');
    const planted401 = await new Browser().request(`${evidentUrl}/api/v1/auth/session`, {
      headers: { cookie: `${SESSION_COOKIE}=${planted}` },
    });
    assert.equal(planted401.status, 401);

    const event = await lastSignIn();
    assert.equal(event.outcome, 'success');
    assert.equal(event.actor.id, ada.id);
    assert.equal(event.actor.ip, '127.0.0.1');
    assert.deepEqual(event.details, { method: 'oidc' });

    // The callback is single-use: the same URL again finds no flow.
    const again = await b.request(callback);
    assert.equal(again.status, 400);
    assert.match((await errorOf(again)).message, /already used/);
    assert.equal((await lastSignIn()).reason, 'bad_state');
  });

  it('refuses a replayed code at the provider even if our single-use check were bypassed', async () => {
    op.user = 'ada-sub';
    const b = new Browser();
    const { callback, state } = await startFlow(b);
    const saved = (await oidcFlowById(t.log.store.state, state))!;
    assert.equal((await b.request(callback)).status, 302);
    // Put the used flow back (as a second server racing, or a bug in our check, would) and
    // replay the callback: state, nonce and PKCE verifier all fit, and only the provider's
    // one-time code rule (RFC 6749 §4.1.2) stands in the way.
    await insertOidcFlow(t.log.store.state, saved);
    const replay = await b.request(callback);
    assert.equal(replay.status, 401);
    const error = await errorOf(replay);
    assert.equal(error.code, 'unauthorized');
    assert.match(error.message, /invalid_grant/);
    const event = await lastSignIn();
    assert.equal(event.outcome, 'failure');
    assert.equal(event.reason, 'code_exchange_failed');
  });

  it('refuses the first code replayed with a fresh state (PKCE and one-time codes)', async () => {
    op.user = 'ada-sub';
    const b = new Browser();
    const first = await startFlow(b);
    assert.equal((await b.request(first.callback)).status, 302);
    const second = await startFlow(b);
    const forged = new URL(second.callback);
    forged.searchParams.set('code', first.callback.searchParams.get('code')!);
    const res = await b.request(forged);
    assert.equal(res.status, 401);
    assert.equal((await lastSignIn()).reason, 'code_exchange_failed');
  });

  it('refuses an unknown state, and a callback from another browser (login CSRF)', async () => {
    const b = new Browser();
    const unknown = await b.request(`${evident.redirectUri}?code=abc&state=${'s'.repeat(43)}`);
    assert.equal(unknown.status, 400);
    assert.equal((await errorOf(unknown)).code, 'bad_request');
    assert.equal((await lastSignIn()).reason, 'bad_state');

    op.user = 'ada-sub';
    const victim = new Browser();
    const attacker = new Browser();
    const { callback } = await startFlow(attacker);
    // The attacker sends the finished callback link to a victim: it is not the victim's flow.
    const crossed = await victim.request(callback);
    assert.equal(crossed.status, 400);
    assert.match((await errorOf(crossed)).message, /another browser/);
    assert.equal(victim.cookies.has(SESSION_COOKIE), false);
    // The flow was not consumed by the refusal: its own browser can still finish it.
    assert.equal((await attacker.request(callback)).status, 302);
  });

  it('refuses a flow older than ten minutes', async () => {
    op.user = 'ada-sub';
    const b = new Browser();
    const { callback } = await startFlow(b);
    t.clock.advance(OIDC_FLOW_TTL_MS);
    const res = await b.request(callback);
    assert.equal(res.status, 400);
    assert.equal((await lastSignIn()).reason, 'expired_flow');
  });

  it('refuses an ID token the provider issued to another client (wrong audience)', async () => {
    op.user = 'ada-sub';
    const b = new Browser();
    const { authorize, callback } = await startFlow(b);
    // The same person at the same provider signs in to another application, whose ID token
    // (signed by the provider, for "ada-sub", even carrying Evident's nonce) is then handed to
    // Evident instead of its own: a token substitution. Only the audience check refuses it.
    const foreign = await idTokenFor(b, op.issuer, other, authorize.searchParams.get('nonce')!);
    const claims = JSON.parse(Buffer.from(foreign.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.aud, 'other-app');
    assert.equal(claims.sub, 'ada-sub');
    assert.equal(claims.iss, op.issuer);
    op.substituteIdToken = foreign;
    const res = await b.request(callback);
    assert.equal(op.substituteIdToken, undefined, 'the substitution happened');
    assert.equal(res.status, 401);
    assert.match((await errorOf(res)).message, /not issued to this client/);
    assert.equal((await lastSignIn()).reason, 'wrong_audience');
    assert.equal(b.cookies.has(SESSION_COOKIE), false);
  });

  it('refuses an identity linked to no account (no just-in-time accounts), and a disabled one', async () => {
    op.user = 'stranger-sub';
    const b = new Browser();
    const res = await b.request((await startFlow(b)).callback);
    assert.equal(res.status, 401);
    assert.match((await errorOf(res)).message, /no active Evident account is linked/);
    let event = await lastSignIn();
    assert.equal(event.reason, 'unknown_identity');
    assert.equal(event.actor.id, 'stranger-sub');
    assert.deepEqual(event.details, {
      method: 'oidc',
      issuer: op.issuer,
      subject: 'stranger-sub',
      email: 'stranger@example.test',
    });
    assert.equal(b.cookies.has(SESSION_COOKIE), false);

    const gone = await person(t, {
      name: 'gone',
      password: null,
      disabled: true,
      oidc: { issuer: op.issuer, subject: 'gone-sub' },
    });
    op.user = 'gone-sub';
    const b2 = new Browser();
    const refused = await b2.request((await startFlow(b2)).callback);
    assert.equal(refused.status, 401);
    event = await lastSignIn();
    assert.equal(event.reason, 'disabled');
    assert.equal(event.actor.id, gone.id);
  });

  it('reports a refusal at the provider as provider_error', async () => {
    op.user = undefined;
    const b = new Browser();
    const { callback } = await startFlow(b);
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    const res = await b.request(callback);
    assert.equal(res.status, 400);
    assert.match((await errorOf(res)).message, /access_denied/);
    assert.equal((await lastSignIn()).reason, 'provider_error');
  });

  it('only returns to paths on this server (no open redirect)', async () => {
    for (const target of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      '/ok\\..\\x',
      'javascript:alert(1)',
      'dashboard',
    ]) {
      const res = await new Browser().request(
        `${evidentUrl}/api/v1/auth/oidc/start?return_to=${encodeURIComponent(target)}`,
      );
      assert.equal(res.status, 400, target);
      const error = await errorOf(res);
      assert.equal((error as { path?: string }).path, 'return_to', target);
    }
  });

  it('links accounts by explicit issuer and subject only', async () => {
    const accounts = new AccountDirectory(t.log.store);
    assert.equal((await accounts.findByOidc(op.issuer, 'ada-sub'))?.id, ada.id);
    assert.equal(await accounts.findByOidc(`${op.issuer}/`, 'ada-sub'), undefined);
  });
});

describe('OpenID Connect sign-in: configuration', () => {
  it('answers 404 when not configured, and 503 while the provider cannot be reached', async () => {
    const plain = await testServer();
    try {
      const res = await plain.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
      assert.equal(res.statusCode, 404);
      assert.match(res.json().error.message, /--oidc-issuer/);
      assert.equal(res.json().error.reason, 'sign_in_disabled');
    } finally {
      await plain.close();
    }
    const closed = createServer();
    const issuer = await listenOnLoopback(closed);
    await new Promise((resolve) => closed.close(resolve));
    const down = await testServer({
      signIn: {
        oidc: {
          issuer,
          clientId: 'evident',
          clientSecret: 'secret',
          redirectUrl: `http://127.0.0.1:8080${OIDC_CALLBACK_PATH}`,
        },
      },
    });
    try {
      const res = await down.app.inject({ method: 'GET', url: '/api/v1/auth/oidc/start' });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().error.code, 'unavailable');
      assert.equal(res.json().error.reason, 'oidc_provider_unreachable');
    } finally {
      await down.close();
    }
  });
});

/** Runs a code flow for `client` in the browser's provider session and returns its ID token. */
async function idTokenFor(
  b: Browser,
  issuer: string,
  client: TestClient,
  nonce: string,
): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    authorization_endpoint: string;
    token_endpoint: string;
  };
  const authorize = new URL(discovery.authorization_endpoint);
  for (const [k, v] of Object.entries({
    client_id: client.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: client.redirectUri,
    state: randomBytes(16).toString('base64url'),
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(k, v);
  }
  const { next } = await b.follow(authorize, (u) => u.href.startsWith(client.redirectUri));
  const code = next?.searchParams.get('code');
  assert.ok(code, `no code for ${client.clientId}: ${next?.href}`);
  const res = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
    }),
  });
  const tokens = (await res.json()) as { id_token?: string };
  assert.ok(tokens.id_token, JSON.stringify(tokens));
  return tokens.id_token;
}
