import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountDirectory } from '../../src/access/accounts/accounts.js';
import { sessionIdOf } from '../../src/access/credentials/sessions.js';
import { AppError } from '../../src/errors.js';
import { SelfAudit } from '../../src/log/self-audit.js';
import { registeredRoutes } from '../../src/server/app.js';
import { SESSION_COOKIE } from '../../src/server/context.js';
import { sessionById } from '../../src/store/tables/credentials/sessions-table.js';
import {
  login,
  PASSWORD,
  person,
  selfEvents,
  sessionCookieOf,
  setCookies,
  signIn,
  TEST_SCRYPT,
} from '../support/sign-in.js';
import { type TestServer, testServer } from '../support/test-server.js';

const MINUTE = 60_000;

describe('sessions: password sign-in, cookies, timeouts, sign-out', () => {
  let t: TestServer;
  let accounts: AccountDirectory;

  before(async () => {
    t = await testServer({ signIn: { passwordParams: TEST_SCRYPT } });
    accounts = new AccountDirectory(t.log.store);
  });
  after(async () => t.close());

  const session = (headers: Record<string, string>) =>
    t.app.inject({ method: 'GET', url: '/api/v1/auth/session', headers });
  const logout = (headers: Record<string, string>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });

  it('signs in with a password: a fresh httpOnly, SameSite=Strict cookie, the CSRF token, the principal', async () => {
    const ada = await person(t, { name: 'ada', grants: [{ role: 'auditor' }] });
    const res = await login(t, 'ada', PASSWORD);
    assert.equal(res.statusCode, 200, res.body);
    const cookie = sessionCookieOf(res);
    assert.match(cookie.value, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(cookie.attributes.get('httponly'), '');
    assert.equal(cookie.attributes.get('samesite'), 'Strict');
    assert.equal(cookie.attributes.get('path'), '/');
    assert.equal(cookie.attributes.has('secure'), false, 'plain http, not configured: no Secure');
    const body = res.json();
    assert.deepEqual(body.principal, {
      id: ada.id,
      name: 'ada',
      kind: 'person',
      roles: [{ role: 'auditor', sources: null }],
    });
    assert.match(body.csrf_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.expires_at, new Date(t.clock.now() + 12 * 60 * MINUTE).toISOString());
    assert.equal(body.session.idle_expires_at, new Date(t.clock.now() + 30 * MINUTE).toISOString());
    // The store holds the hash of the cookie, never the cookie.
    assert.equal(body.session.id, sessionIdOf(cookie.value));
    assert.equal(await t.signIn.sessions.get(cookie.value), undefined);
    assert.equal((await t.signIn.sessions.get(body.session.id))?.accountId, ada.id);

    const info = await session({ cookie: `${SESSION_COOKIE}=${cookie.value}` });
    assert.equal(info.statusCode, 200, info.body);
    assert.equal(info.json().principal.id, ada.id);
    assert.equal(info.json().csrf_token, body.csrf_token);
    assert.equal(info.json().session.method, 'password');
    assert.equal(info.json().session.user_agent, 'sign-in-test/1.0');

    // Cookie-authenticated reads work like a token's, and are audited as the person.
    const search = await t.app.inject({
      method: 'GET',
      url: '/api/v1/events?limit=1',
      headers: { cookie: `${SESSION_COOKIE}=${cookie.value}` },
    });
    assert.equal(search.statusCode, 200, search.body);

    const [event] = await selfEvents(t, 'session.sign_in');
    assert.equal(event!.outcome, 'success');
    assert.equal(event!.category, 'authentication');
    assert.equal(event!.actor.id, ada.id);
    assert.equal(event!.actor.type, 'person');
    assert.equal(event!.actor.session, body.session.id);
    assert.equal(event!.actor.ip, '127.0.0.1');
    assert.deepEqual(event!.details, { method: 'password' });
    const [read] = await selfEvents(t, 'audit_log.search');
    assert.ok((await selfEvents(t, 'audit_log.search')).some((e) => e.actor.id === ada.id));
    assert.ok(read);
  });

  it('marks the cookie Secure when configured for a TLS proxy in front', async () => {
    const secure = await testServer({
      signIn: { passwordParams: TEST_SCRYPT, cookieSecure: true },
    });
    try {
      await person(secure, { name: 'sec' });
      const cookie = sessionCookieOf(await login(secure, 'sec', PASSWORD));
      assert.equal(cookie.attributes.get('secure'), '');
      assert.equal(cookie.attributes.get('samesite'), 'Strict');
    } finally {
      await secure.close();
    }
  });

  it('answers every refused password the same, and records the real reason', async () => {
    const bob = await person(t, { name: 'bob' });
    const carol = await person(t, { name: 'carol', password: null });
    const dave = await person(t, { name: 'dave', disabled: true });
    const cases = [
      { name: 'nobody', password: PASSWORD, reason: 'unknown_account', actor: 'nobody' },
      { name: 'bob', password: 'not the password', reason: 'bad_password', actor: bob.id },
      { name: 'carol', password: PASSWORD, reason: 'no_password', actor: carol.id },
      { name: 'dave', password: PASSWORD, reason: 'disabled', actor: dave.id },
    ];
    const bodies = new Set<string>();
    for (const [i, c] of cases.entries()) {
      const res = await login(t, c.name, c.password, { ip: `10.1.0.${i}` });
      assert.equal(res.statusCode, 401, c.reason);
      assert.equal(setCookies(res).length, 0, 'no cookie on failure');
      bodies.add(res.body);
      const [event] = await selfEvents(t, 'session.sign_in');
      assert.equal(event!.outcome, 'failure');
      assert.equal(event!.reason, c.reason);
      assert.equal(event!.actor.id, c.actor);
      assert.equal(event!.actor.type, 'anonymous');
      assert.equal(event!.actor.ip, `10.1.0.${i}`);
      assert.equal(event!.details?.method, 'password');
    }
    assert.equal(bodies.size, 1, `one answer for all: ${[...bodies].join(' | ')}`);
    assert.equal(JSON.parse([...bodies][0]!).error.code, 'unauthorized');
  });

  it('records a malformed name without writing it to the log', async () => {
    const res = await login(t, 'Not A Name! hunter2', PASSWORD, { ip: '10.1.1.1' });
    assert.equal(res.statusCode, 401);
    const [event] = await selfEvents(t, 'session.sign_in');
    assert.equal(event!.reason, 'unknown_account');
    assert.equal(event!.actor.id, '(malformed name)');
    assert.equal(JSON.stringify(event).includes('hunter2'), false);
  });

  it('accepts the name in any case and with spaces around it', async () => {
    await person(t, { name: 'erin' });
    await signIn(t, '  Erin ', PASSWORD, { ip: '10.1.2.1' });
  });

  it('locks an account after 5 failures, refuses even the right password, and lifts the lock after a minute', async () => {
    const frank = await person(t, { name: 'frank' });
    // Different addresses, so the per-address limit is not what stops these.
    for (let i = 0; i < 5; i++) {
      const res = await login(t, 'frank', `wrong password ${i}`, { ip: `10.2.0.${i}` });
      assert.equal(res.statusCode, 401);
    }
    const locked = await login(t, 'frank', PASSWORD, { ip: '10.2.1.1' });
    assert.equal(locked.statusCode, 401, 'locked: the right password does not help');
    const [event] = await selfEvents(t, 'session.sign_in');
    assert.equal(event!.reason, 'locked');
    assert.equal(event!.actor.id, frank.id);
    assert.equal(event!.details?.locked_until, new Date(t.clock.now() + MINUTE).toISOString());

    t.clock.advance(MINUTE - 1);
    assert.equal((await login(t, 'frank', PASSWORD, { ip: '10.2.1.2' })).statusCode, 401);
    t.clock.advance(1);
    await signIn(t, 'frank', PASSWORD, { ip: '10.2.1.3' });
    const state = (await accounts.get(frank.id))!.signIn;
    assert.equal(state.failures, 0, 'a success resets the count');
    assert.equal(state.lockedUntilMs, null);
  });

  it('doubles the lock for each failure after a lock, up to an hour', async () => {
    const gail = await person(t, { name: 'gail' });
    for (let i = 0; i < 5; i++) await login(t, 'gail', 'wrong', { ip: `10.3.0.${i}` });
    const locks: number[] = [];
    let until = (await accounts.get(gail.id))!.signIn.lockedUntilMs!;
    locks.push(until - t.clock.now());
    for (let i = 0; i < 8; i++) {
      t.clock.set(until);
      await login(t, 'gail', 'wrong', { ip: `10.3.1.${i}` });
      until = (await accounts.get(gail.id))!.signIn.lockedUntilMs!;
      locks.push(until - t.clock.now());
    }
    assert.deepEqual(
      locks.map((ms) => ms / MINUTE),
      [1, 2, 4, 8, 16, 32, 60, 60, 60],
    );
    // Quiet for the window after the lock ends: the count starts over.
    t.clock.set(until + 15 * MINUTE + 1);
    await login(t, 'gail', 'wrong', { ip: '10.3.2.1' });
    assert.equal((await accounts.get(gail.id))!.signIn.failures, 1);
    await signIn(t, 'gail', PASSWORD, { ip: '10.3.2.2' });
  });

  it('counts parallel guesses one by one: no more than 5 are judged before the lock', async () => {
    const hal = await person(t, { name: 'hal' });
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => login(t, 'hal', `wrong ${i}`, { ip: `10.4.0.${i}` })),
    );
    assert.ok(answers.every((r) => r.statusCode === 401));
    const events = (await selfEvents(t, 'session.sign_in')).filter((e) => e.actor.id === hal.id);
    const reasons = events.map((e) => e.reason);
    assert.equal(events.length, 12);
    assert.ok(reasons.filter((r) => r === 'bad_password').length <= 5, reasons.join(' '));
    assert.ok(
      reasons.every((r) => ['bad_password', 'locked', 'concurrent_attempts'].includes(r!)),
      reasons.join(' '),
    );
    // Whichever five were judged, the account is now locked: the right password is refused.
    assert.equal((await login(t, 'hal', PASSWORD, { ip: '10.4.1.1' })).statusCode, 401);
    assert.equal((await selfEvents(t, 'session.sign_in'))[0]!.reason, 'locked');
  });

  it('throttles failures per client address with 429 and Retry-After, refilling one a minute', async () => {
    const ip = '10.5.0.1';
    await person(t, { name: 'ivan' });
    for (let i = 0; i < 10; i++) {
      const res = await login(t, `sprayed-${i}`, PASSWORD, { ip });
      assert.equal(res.statusCode, 401);
    }
    const throttled = await login(t, 'ivan', PASSWORD, { ip });
    assert.equal(throttled.statusCode, 429);
    assert.equal(throttled.json().error.code, 'too_many_requests');
    assert.equal(throttled.headers['retry-after'], '60');
    // Another address is not affected.
    await signIn(t, 'ivan', PASSWORD, { ip: '10.5.0.2' });
    t.clock.advance(MINUTE);
    await signIn(t, 'ivan', PASSWORD, { ip });
    // A success gives its attempt back: the address may still sign in right away.
    await signIn(t, 'ivan', PASSWORD, { ip });
  });

  it('ends a session unused for the idle timeout; use within it keeps it alive', async () => {
    await person(t, { name: 'judy' });
    const s = await signIn(t, 'judy', PASSWORD, { ip: '10.6.0.1' });
    for (let i = 0; i < 3; i++) {
      t.clock.advance(29 * MINUTE);
      assert.equal((await session(s.get)).statusCode, 200, `use ${i}`);
    }
    t.clock.advance(30 * MINUTE);
    const res = await session(s.get);
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'unauthorized');
    assert.equal(await t.signIn.sessions.get(s.body.session.id), undefined, 'deleted on the way');
  });

  it('ends a session at the absolute timeout however busy', async () => {
    await person(t, { name: 'ken' });
    const s = await signIn(t, 'ken', PASSWORD, { ip: '10.6.0.2' });
    for (let used = 0; used < 12 * 60 - 20; used += 20) {
      t.clock.advance(20 * MINUTE);
      assert.equal((await session(s.get)).statusCode, 200);
    }
    t.clock.advance(20 * MINUTE);
    assert.equal((await session(s.get)).statusCode, 401);
  });

  it('writes last-seen at most once a minute', async () => {
    await person(t, { name: 'lea' });
    const s = await signIn(t, 'lea', PASSWORD, { ip: '10.6.0.3' });
    const version = async () => (await sessionById(t.log.store.state, s.body.session.id))!.version;
    const v0 = await version();
    for (let i = 0; i < 5; i++) {
      t.clock.advance(10_000);
      await session(s.get);
    }
    assert.equal(await version(), v0, 'no writes within the minute');
    t.clock.advance(10_000);
    await session(s.get);
    assert.equal(await version(), v0 + 1, 'one write after a minute');
  });

  it('uses the account as it is now: a removed role and a disabled account apply at once', async () => {
    const mia = await person(t, { name: 'mia', grants: [{ role: 'auditor' }] });
    const s = await signIn(t, 'mia', PASSWORD, { ip: '10.7.0.1' });
    const search = () =>
      t.app.inject({ method: 'GET', url: '/api/v1/events?limit=1', headers: s.get });
    assert.equal((await search()).statusCode, 200);
    await accounts.update(mia.id, (a) => ({ ...a, grants: [] }), t.clock.now());
    assert.equal((await search()).statusCode, 403);
    await accounts.update(mia.id, (a) => ({ ...a, disabled: true }), t.clock.now());
    assert.equal((await session(s.get)).statusCode, 401);
    assert.equal(await t.signIn.sessions.get(s.body.session.id), undefined);
  });

  it('checks the CSRF token on cookie-authenticated writes (double submit)', async () => {
    await person(t, { name: 'ned' });
    const s = await signIn(t, 'ned', PASSWORD, { ip: '10.8.0.1' });
    const missing = await logout(s.get);
    assert.equal(missing.statusCode, 403);
    assert.equal(missing.json().error.reason, 'csrf_token_required');
    const wrong = await logout({ ...s.get, 'x-csrf-token': 'A'.repeat(43) });
    assert.equal(wrong.statusCode, 403);
    const other = await signIn(t, 'ned', PASSWORD, { ip: '10.8.0.1' });
    const crossed = await logout({ ...s.get, 'x-csrf-token': other.csrf });
    assert.equal(crossed.statusCode, 403, "another session's token does not fit");
    assert.equal((await session(s.get)).statusCode, 200, 'refused writes changed nothing');
    assert.equal((await logout(s.write)).statusCode, 204);
  });

  it('signs out: the session is deleted, the cookie cleared, and it no longer works', async () => {
    const olga = await person(t, { name: 'olga' });
    const s = await signIn(t, 'olga', PASSWORD, { ip: '10.9.0.1' });
    const res = await logout(s.write);
    assert.equal(res.statusCode, 204);
    const cleared = sessionCookieOf(res);
    assert.equal(cleared.value, '');
    assert.ok(Date.parse(cleared.attributes.get('expires')!) < Date.now());
    assert.equal((await session(s.get)).statusCode, 401);
    assert.equal((await logout(s.write)).statusCode, 401);
    const [event] = await selfEvents(t, 'session.sign_out');
    assert.equal(event!.actor.id, olga.id);
    assert.equal(event!.actor.session, s.body.session.id);
    assert.deepEqual(event!.target, { type: 'session', id: s.body.session.id });
  });

  it('sign-out and session info are about cookies: a token gets 400', async () => {
    const token = await t.principal({ roles: ['auditor'] });
    const res = await logout(token.headers);
    assert.equal(res.statusCode, 400);
    assert.equal((await session(token.headers)).statusCode, 400);
    assert.equal((await session({})).statusCode, 401);
  });

  it('never honours a session id chosen before sign-in (fixation)', async () => {
    const pat = await person(t, { name: 'pat' });
    // An attacker plants a well-formed cookie value in the victim's browser…
    const planted = 'P'.repeat(43);
    const s = await signIn(t, 'pat', PASSWORD, {
      ip: '10.10.0.1',
      cookie: `${SESSION_COOKIE}=${planted}`,
    });
    assert.notEqual(s.cookie, `${SESSION_COOKIE}=${planted}`, 'a new id is issued');
    assert.equal(await t.signIn.sessions.get(sessionIdOf(planted)), undefined);
    // …and the planted value never becomes a session.
    assert.equal((await session({ cookie: `${SESSION_COOKIE}=${planted}` })).statusCode, 401);
    assert.equal((await session(s.get)).statusCode, 200);

    // A session the attacker holds and plants is ended, not taken over.
    const attacker = await person(t, { name: 'mallory' });
    const theirs = await signIn(t, 'mallory', PASSWORD, { ip: '10.10.0.2' });
    const victim = await signIn(t, 'pat', PASSWORD, { ip: '10.10.0.1', cookie: theirs.cookie });
    assert.notEqual(victim.cookie, theirs.cookie);
    assert.equal((await session(theirs.get)).statusCode, 401);
    const mine = (await session(victim.get)).json();
    assert.equal(mine.principal.id, pat.id);
    assert.notEqual(mine.principal.id, attacker.id);
  });

  it('changes one’s own password: needs the current one, ends the other sessions', async () => {
    const quinn = await person(t, { name: 'quinn' });
    const here = await signIn(t, 'quinn', PASSWORD, { ip: '10.11.0.1' });
    const elsewhere = await signIn(t, 'quinn', PASSWORD, { ip: '10.11.0.2' });
    const change = (body: unknown, headers: Record<string, string> = here.write) =>
      t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    const next = 'a much longer passphrase now';

    const wrong = await change({ current_password: 'not it', new_password: next });
    assert.equal(wrong.statusCode, 403);
    assert.equal(wrong.json().error.path, 'current_password');
    let [event] = await selfEvents(t, 'principal.password_change');
    assert.equal(event!.outcome, 'failure');
    assert.equal(event!.reason, 'bad_password');
    assert.equal(event!.actor.id, quinn.id);

    const short = await change({ current_password: PASSWORD, new_password: 'short' });
    assert.equal(short.statusCode, 400);
    assert.equal(short.json().error.path, 'new_password');
    const noCsrf = await change({ current_password: PASSWORD, new_password: next }, here.get);
    assert.equal(noCsrf.statusCode, 403);

    const ok = await change({ current_password: PASSWORD, new_password: next });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { other_sessions_ended: 1 });
    assert.equal((await session(here.get)).statusCode, 200, 'this session stays');
    assert.equal((await session(elsewhere.get)).statusCode, 401, 'the others end');
    [event] = await selfEvents(t, 'principal.password_change');
    assert.equal(event!.outcome, 'success');
    assert.deepEqual(event!.target, { type: 'account', id: quinn.id, name: 'quinn' });
    assert.equal((await login(t, 'quinn', PASSWORD, { ip: '10.11.0.3' })).statusCode, 401);
    await signIn(t, 'quinn', next, { ip: '10.11.0.3' });
  });

  it('refuses malformed sign-in bodies with 400 and a path, without an event', async () => {
    const before = (await selfEvents(t, 'session.sign_in')).length;
    for (const [payload, path] of [
      [{ name: 'ada' }, 'password'],
      [{ password: PASSWORD }, 'name'],
      [{ name: 'ada', password: PASSWORD, remember: true }, 'remember'],
      [{ name: 5, password: PASSWORD }, 'name'],
    ] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(payload),
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
      assert.equal(res.json().error.path, path);
    }
    assert.equal((await selfEvents(t, 'session.sign_in')).length, before);
  });

  it('fails closed: no session when its sign-in event cannot be appended', async () => {
    const rita = await person(t, { name: 'rita' });
    // The session is written in the sign-in event's transaction: the append fails after the
    // session row is in, and the row must go with it.
    const recordWithin = SelfAudit.prototype.recordWithin;
    SelfAudit.prototype.recordWithin = function (this: SelfAudit, work) {
      return recordWithin.call(this, async (tx) => {
        const out = await work(tx);
        if (out.events.some((e) => e.action === 'session.sign_in' && e.outcome === undefined)) {
          throw new AppError('commit_failed', 'the log could not commit');
        }
        return out;
      });
    } as typeof recordWithin;
    let res: Awaited<ReturnType<typeof login>>;
    try {
      res = await login(t, 'rita', PASSWORD, { ip: '10.12.0.1' });
    } finally {
      SelfAudit.prototype.recordWithin = recordWithin;
    }
    assert.equal(res.statusCode, 503);
    assert.equal(setCookies(res).length, 0, 'no cookie');
    assert.deepEqual(await t.signIn.sessions.forAccount(rita.id), [], 'no session left behind');
  });

  it('documents every sign-in route in the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const auth = registeredRoutes(t.app).filter(
      (r) => r.url.startsWith('/api/v1/auth/') && r.method !== 'HEAD',
    );
    assert.equal(auth.length, 8);
    for (const r of auth) {
      assert.ok(doc.paths[r.url]?.[r.method.toLowerCase()], `${r.method} ${r.url}`);
    }
  });
});
