import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { AccountDirectory, type AccountRecord } from '../../src/access/accounts/accounts.js';
import { hashPassword, type ScryptParams } from '../../src/access/accounts/passwords.js';
import type { Grant } from '../../src/access/principal.js';
import { NO_SIGN_INS } from '../../src/access/sign-in/sign-in-throttle.js';
import { SESSION_COOKIE } from '../../src/server/context.js';
import type { TestServer } from './test-server.js';

/** Cheap scrypt for tests (N = 2^10): the cost is not what these tests are about. */
export const TEST_SCRYPT: ScryptParams = { logN: 10, r: 8, p: 1 };
export const PASSWORD = 'correct horse battery staple';

let made = 0;

/** A person straight in the store (the admin API is tested elsewhere). */
export async function person(
  t: TestServer,
  options: {
    name?: string;
    password?: string | null;
    grants?: Grant[];
    disabled?: boolean;
    oidc?: { issuer: string; subject: string };
  } = {},
): Promise<AccountRecord> {
  made++;
  const password = options.password === undefined ? PASSWORD : options.password;
  const account: AccountRecord = {
    id: `person-${made}-${Math.random().toString(36).slice(2, 8)}`,
    kind: 'person',
    name: options.name ?? `person-${made}`,
    displayName: null,
    email: null,
    grants: options.grants ?? [{ role: 'auditor' }],
    passwordHash: password === null ? null : await hashPassword(password, TEST_SCRYPT),
    oidc: options.oidc ?? null,
    disabled: options.disabled ?? false,
    createdAtMs: t.clock.now(),
    createdBy: 'test',
    signIn: NO_SIGN_INS,
  };
  await new AccountDirectory(t.log.store).create(account);
  return account;
}

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased, with their values ('' for flags). */
  attributes: Map<string, string>;
}

export function setCookies(res: { headers: Record<string, unknown> }): SetCookie[] {
  const raw = res.headers['set-cookie'];
  const list = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw as string];
  return list.map((line: string) => {
    const [pair, ...attrs] = line.split(';').map((p) => p.trim());
    const eq = pair!.indexOf('=');
    return {
      name: pair!.slice(0, eq),
      value: decodeURIComponent(pair!.slice(eq + 1)),
      attributes: new Map(
        attrs.map((a) => {
          const i = a.indexOf('=');
          return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
        }),
      ),
    };
  });
}

export function sessionCookieOf(res: LightMyRequestResponse): SetCookie {
  const c = setCookies(res).find((x) => x.name === SESSION_COOKIE);
  assert.ok(c, `no ${SESSION_COOKIE} cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return c;
}

export interface SignedIn {
  cookie: string;
  csrf: string;
  /** Headers for a cookie-authenticated GET. */
  get: { cookie: string };
  /** Headers for a cookie-authenticated write. */
  write: { cookie: string; 'x-csrf-token': string };
  body: Record<string, unknown> & { session: { id: string } };
}

export function login(
  t: TestServer,
  name: string,
  password: string,
  options: { ip?: string; cookie?: string } = {},
): Promise<LightMyRequestResponse> {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: options.ip ?? '127.0.0.1',
    headers: {
      'content-type': 'application/json',
      'user-agent': 'sign-in-test/1.0',
      ...(options.cookie ? { cookie: options.cookie } : {}),
    },
    payload: JSON.stringify({ name, password }),
  });
}

export async function signIn(
  t: TestServer,
  name: string,
  password = PASSWORD,
  options: { ip?: string; cookie?: string } = {},
): Promise<SignedIn> {
  const res = await login(t, name, password, options);
  assert.equal(res.statusCode, 200, res.body);
  const cookie = `${SESSION_COOKIE}=${sessionCookieOf(res).value}`;
  const body = res.json();
  return {
    cookie,
    csrf: body.csrf_token,
    get: { cookie },
    write: { cookie, 'x-csrf-token': body.csrf_token },
    body,
  };
}

/** The fields of a self-audit record these tests look at. */
export interface AuditRecord {
  action: string;
  outcome: string;
  reason?: string;
  category?: string;
  actor: { id: string; type?: string; name?: string; ip?: string; session?: string };
  target?: { type: string; id: string; name?: string };
  details?: Record<string, unknown>;
}

/** The log's own events with this action, newest first (read with the bootstrap token). */
export async function selfEvents(t: TestServer, action: string): Promise<AuditRecord[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: `/api/v1/events?source=evident&action=${encodeURIComponent(action)}&limit=1000`,
    headers: t.admin,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().entries.map((e: { record: AuditRecord }) => e.record);
}
