import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { Command } from 'commander';
import { parseOidcSettings } from '../../src/access/sign-in/oidc-settings.js';
import {
  AddressThrottle,
  afterFailure,
  afterSuccess,
  DEFAULT_LOCK_POLICY,
  lockedUntil,
  NO_SIGN_INS,
} from '../../src/access/sign-in/sign-in-throttle.js';
import { addSignInOptions, signInOptions } from '../../src/cli/sign-in-options.js';
import type { AppError } from '../../src/errors.js';

const MINUTE = 60_000;
const T0 = 1_000_000_000_000;

describe('lock-out policy (pure)', () => {
  it('locks on the fifth failure within the window, not on failures spread wider apart', () => {
    let s = NO_SIGN_INS;
    for (let i = 0; i < 4; i++) s = afterFailure(s, T0 + i * 14 * MINUTE, DEFAULT_LOCK_POLICY);
    assert.equal(s.failures, 4);
    assert.equal(lockedUntil(s, T0 + 56 * MINUTE), undefined);
    // More than 15 minutes since the last failure: counting starts over.
    const spread = afterFailure(s, T0 + 42 * MINUTE + 15 * MINUTE + 1, DEFAULT_LOCK_POLICY);
    assert.equal(spread.failures, 1);
    const fifth = afterFailure(s, T0 + 50 * MINUTE, DEFAULT_LOCK_POLICY);
    assert.equal(fifth.failures, 5);
    assert.equal(lockedUntil(fifth, T0 + 50 * MINUTE), T0 + 51 * MINUTE);
    assert.equal(lockedUntil(fifth, T0 + 51 * MINUTE), undefined, 'the lock ends at its time');
    assert.deepEqual(afterSuccess(T0 + 52 * MINUTE), {
      ...NO_SIGN_INS,
      lastSuccessMs: T0 + 52 * MINUTE,
    });
  });
});

describe('per-address throttle (pure)', () => {
  it('allows a burst, then one per refill, answering how long to wait', () => {
    const th = new AddressThrottle({ capacity: 3, refillMs: MINUTE });
    for (let i = 0; i < 3; i++) assert.equal(th.take('a', T0), 0);
    assert.equal(th.take('a', T0), MINUTE);
    assert.equal(th.take('a', T0 + 45_000), 15_000);
    assert.equal(th.take('b', T0), 0, 'addresses are separate');
    assert.equal(th.take('a', T0 + MINUTE), 0);
    assert.equal(th.take('a', T0 + MINUTE), MINUTE);
    th.refund('a', T0 + MINUTE);
    assert.equal(th.take('a', T0 + MINUTE), 0, 'a refunded attempt is there again');
    // Refunds never exceed the capacity.
    for (let i = 0; i < 10; i++) th.refund('c', T0);
    for (let i = 0; i < 3; i++) assert.equal(th.take('c', T0), 0);
    assert.ok(th.take('c', T0) > 0);
  });

  it('keeps memory bounded: past 10 000 addresses the quietest is forgotten', () => {
    const th = new AddressThrottle({ capacity: 1, refillMs: MINUTE });
    assert.equal(th.take('first', T0), 0);
    for (let i = 0; i < 10_000; i++) th.take(`10.0.${i >> 8}.${i & 255}`, T0 + 1);
    assert.equal(th.take('first', T0 + 2), 0, 'forgotten, so it starts full');
    assert.ok(th.take('10.0.39.15', T0 + 2) > 0, 'a recent one is remembered');
  });
});

describe('sign-in settings', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
  const oidc = {
    issuer: 'https://login.example.com',
    clientId: 'evident',
    clientSecret: 's3cret',
    redirectUrl: 'https://evident.example.com/api/v1/auth/oidc/callback',
  };

  it('takes OpenID settings all together or not at all', () => {
    assert.equal(parseOidcSettings({}), undefined);
    assert.deepEqual(parseOidcSettings(oidc), oidc);
    assert.throws(
      () => parseOidcSettings({ issuer: oidc.issuer }),
      (e: AppError) =>
        /--oidc-client-id, --oidc-client-secret, --oidc-redirect-url/.test(e.message),
    );
  });

  it('wants https (http only on loopback) and the callback path as redirect', () => {
    assert.throws(
      () => parseOidcSettings({ ...oidc, issuer: 'http://login.example.com' }),
      /https/,
    );
    assert.ok(parseOidcSettings({ ...oidc, issuer: 'http://127.0.0.1:9000' }));
    assert.ok(parseOidcSettings({ ...oidc, issuer: 'http://localhost:9000/realms/x' }));
    assert.throws(
      () => parseOidcSettings({ ...oidc, redirectUrl: 'https://evident.example.com/callback' }),
      /ending in \/api\/v1\/auth\/oidc\/callback/,
    );
    assert.throws(
      () => parseOidcSettings({ ...oidc, issuer: 'login.example.com' }),
      /absolute URL/,
    );
  });

  it('reads timeouts from flags, else the environment, else 30m and 12h', () => {
    delete process.env.EVIDENT_SESSION_IDLE_TIMEOUT;
    delete process.env.EVIDENT_SESSION_ABSOLUTE_TIMEOUT;
    assert.deepEqual(signInOptions({ cookieSecure: false }).timeouts, {
      idleMs: 30 * MINUTE,
      absoluteMs: 12 * 60 * MINUTE,
    });
    process.env.EVIDENT_SESSION_IDLE_TIMEOUT = '15m';
    process.env.EVIDENT_SESSION_ABSOLUTE_TIMEOUT = '8h';
    assert.deepEqual(signInOptions({ cookieSecure: true, sessionIdleTimeout: 5 * MINUTE }), {
      timeouts: { idleMs: 5 * MINUTE, absoluteMs: 8 * 60 * MINUTE },
      cookieSecure: true,
    });
    process.env.EVIDENT_SESSION_IDLE_TIMEOUT = 'soon';
    assert.throws(() => signInOptions({ cookieSecure: false }), /EVIDENT_SESSION_IDLE_TIMEOUT/);
    assert.throws(
      () =>
        signInOptions({
          cookieSecure: false,
          sessionIdleTimeout: 60 * MINUTE,
          sessionAbsoluteTimeout: 30 * MINUTE,
        }),
      /must not be shorter/,
    );
    delete process.env.EVIDENT_SESSION_IDLE_TIMEOUT;
    assert.throws(
      () => signInOptions({ cookieSecure: false, oidcIssuer: 'https://x.example' }),
      /--oidc-client-id/,
    );
  });

  it('reads OpenID settings from the environment, and never shows the secret in help', () => {
    process.env.EVIDENT_OIDC_ISSUER = oidc.issuer;
    process.env.EVIDENT_OIDC_CLIENT_ID = oidc.clientId;
    process.env.EVIDENT_OIDC_CLIENT_SECRET = oidc.clientSecret;
    process.env.EVIDENT_OIDC_REDIRECT_URL = oidc.redirectUrl;
    process.env.EVIDENT_COOKIE_SECURE = 'true';
    const options = signInOptions({});
    assert.deepEqual(options.oidc, oidc);
    assert.equal(options.cookieSecure, true);
    const help = addSignInOptions(new Command('serve')).helpInformation();
    assert.match(help, /--oidc-client-secret/);
    assert.equal(help.includes(oidc.clientSecret), false);
  });
});
