import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AccountDirectory } from '../../src/access/accounts/accounts.js';
import {
  INGEST_ACTIONS,
  ROLE_ACTIONS,
  UNSCOPED_ONLY_ACTIONS,
} from '../../src/access/authorization/permissions.js';
import { ApiTokens } from '../../src/access/credentials/api-tokens.js';
import type { Action, Grant } from '../../src/access/principal.js';
import { registeredRoutes } from '../../src/server/app.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { ADMIN_TOKEN, event, type TestServer, testServer } from '../support/test-server.js';

/**
 * Issue #4's matrix: every route × every kind of credential. Invalid credentials get 401,
 * valid ones without the permission 403, permitted ones anything but 401/403/5xx — and no
 * answer ever carries the credential back or a stack trace. The expected decision comes
 * from the documented matrix (ROLE_ACTIONS), so a route asking for the wrong action fails.
 * The table must name every registered route: a new route without a row fails the test.
 */

interface RouteCase {
  method: string;
  /** The route pattern as registered. */
  route: string;
  /** A concrete URL (ids of things the fixture made, or well-formed unknown ones). */
  url: (f: Fixture) => string;
  /** undefined: public; 'authenticated': any valid credential (whoami). */
  action: Action | 'authenticated' | undefined;
  body?: (f: Fixture) => unknown;
  contentType?: string;
  /** Credentials refused although their roles allow the action, by design (a 403). */
  deniedTo?: string[];
}

interface Fixture {
  billingEventId: string;
  otherEventId: string;
  ingestKeyId: string;
}

const UNKNOWN_ULID = '01JD8X7Q6R3T9V2W4Y5Z6A7B8C';

const CASES: RouteCase[] = [
  { method: 'GET', route: '/healthz', url: () => '/healthz', action: undefined },
  {
    method: 'GET',
    route: '/api/v1/openapi.json',
    url: () => '/api/v1/openapi.json',
    action: undefined,
  },
  {
    method: 'POST',
    route: '/api/v1/events',
    url: () => '/api/v1/events',
    action: 'events.append',
    body: () => event(),
  },
  {
    method: 'POST',
    route: '/api/v1/ingest/:mapping',
    url: () => '/api/v1/ingest/vector',
    action: 'events.append',
    body: () => ({
      message: 'Accepted password for ada from 10.0.0.7 port 22 ssh2',
      appname: 'sshd',
    }),
  },
  {
    method: 'POST',
    route: '/v1/logs',
    url: () => '/v1/logs',
    action: 'events.append',
    body: () => ({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' } }] }] }],
    }),
  },
  { method: 'GET', route: '/api/v1/events', url: () => '/api/v1/events', action: 'events.read' },
  {
    method: 'GET',
    route: '/api/v1/events/export',
    url: () => '/api/v1/events/export?format=ndjson',
    action: 'events.export',
  },
  {
    method: 'GET',
    route: '/api/v1/events/facets',
    url: () => '/api/v1/events/facets?bucket=hour',
    action: 'events.read',
  },
  {
    method: 'GET',
    route: '/api/v1/saved-searches',
    url: () => '/api/v1/saved-searches',
    action: 'events.read',
  },
  {
    method: 'POST',
    route: '/api/v1/saved-searches',
    url: () => '/api/v1/saved-searches',
    action: 'events.read',
    body: () => ({ name: 'failures', query: 'outcome:failure', range: '24h' }),
  },
  {
    method: 'DELETE',
    route: '/api/v1/saved-searches/:id',
    url: () => `/api/v1/saved-searches/${UNKNOWN_ULID}`,
    action: 'events.read',
  },
  {
    method: 'GET',
    route: '/api/v1/events/:id',
    url: (f) => `/api/v1/events/${f.billingEventId}`,
    action: 'events.read',
  },
  {
    method: 'GET',
    route: '/api/v1/events/stream',
    // follow=false: the export ends at the head, so the request completes.
    url: () => '/api/v1/events/stream?follow=false',
    action: 'events.export',
  },
  { method: 'GET', route: '/api/v1/log', url: () => '/api/v1/log', action: 'log.read' },
  {
    method: 'GET',
    route: '/api/v1/log/checkpoint',
    url: () => '/api/v1/log/checkpoint',
    action: 'log.read',
  },
  {
    method: 'GET',
    route: '/api/v1/log/entries',
    url: () => '/api/v1/log/entries?start=0&end=2',
    action: 'log.entries',
  },
  {
    method: 'GET',
    route: '/api/v1/log/tile/*',
    url: () => '/api/v1/log/tile/entries/000.p/1',
    action: 'log.entries',
  },
  {
    method: 'GET',
    route: '/api/v1/log/proof/inclusion',
    url: () => '/api/v1/log/proof/inclusion?seq=0',
    action: 'proofs.read',
  },
  {
    method: 'GET',
    route: '/api/v1/log/proof/consistency',
    url: () => '/api/v1/log/proof/consistency?first=1&second=2',
    action: 'proofs.read',
  },
  {
    method: 'POST',
    route: '/api/v1/keys',
    url: () => '/api/v1/keys',
    action: 'ingest_keys.manage',
    body: () => ({ source: 'matrix-made', label: 'made by the matrix test' }),
  },
  { method: 'GET', route: '/api/v1/keys', url: () => '/api/v1/keys', action: 'ingest_keys.manage' },
  {
    method: 'POST',
    route: '/api/v1/keys/:id/revoke',
    url: () => '/api/v1/keys/0000000000000000/revoke',
    action: 'ingest_keys.manage',
  },
  { method: 'GET', route: '/api/v1/sources', url: () => '/api/v1/sources', action: 'sources.read' },
  {
    method: 'GET',
    route: '/api/v1/sources/:name',
    url: () => '/api/v1/sources/billing-api',
    action: 'sources.read',
  },
  {
    method: 'PUT',
    route: '/api/v1/sources/:name',
    url: () => '/api/v1/sources/matrix-declared',
    action: 'sources.manage',
    body: () => ({ expected_max_silence: '15m' }),
  },
  {
    method: 'GET',
    route: '/api/v1/log/keys',
    url: () => '/api/v1/log/keys',
    action: undefined,
  },
  // Alerts: unknown ids, so permitted calls end in 404 and nothing changes.
  { method: 'GET', route: '/api/v1/alerts', url: () => '/api/v1/alerts', action: 'alerts.read' },
  {
    method: 'GET',
    route: '/api/v1/alerts/:id',
    url: () => `/api/v1/alerts/${UNKNOWN_ULID}`,
    action: 'alerts.read',
  },
  {
    method: 'GET',
    route: '/api/v1/alerts/export',
    url: () => '/api/v1/alerts/export?format=ndjson',
    action: 'alerts.read',
  },
  {
    method: 'GET',
    route: '/api/v1/alerts/metrics',
    url: () => '/api/v1/alerts/metrics',
    action: 'alerts.read',
  },
  ...(
    [
      ['acknowledge', {}],
      ['resolve', { disposition: 'benign', note: 'matrix' }],
      ['reopen', { note: 'matrix' }],
      ['assign', { assignee: 'nobody' }],
      ['comments', { text: 'matrix' }],
    ] as const
  ).map(
    ([step, body]): RouteCase => ({
      method: 'POST',
      route: `/api/v1/alerts/:id/${step}`,
      url: () => `/api/v1/alerts/${UNKNOWN_ULID}/${step}`,
      action: 'alerts.handle',
      body: () => body,
    }),
  ),
  {
    method: 'POST',
    route: '/api/v1/alerts/bulk',
    url: () => '/api/v1/alerts/bulk?state=open',
    action: 'alerts.handle',
    body: () => ({ action: 'acknowledge', dry_run: true }),
  },
  // Rules: a PUT that does not validate, so a permitted call is a 400 and changes nothing.
  { method: 'GET', route: '/api/v1/rules', url: () => '/api/v1/rules', action: 'rules.read' },
  {
    method: 'POST',
    route: '/api/v1/rules/validate',
    url: () => '/api/v1/rules/validate',
    action: 'rules.read',
    body: () => 'rules: []\n',
    contentType: 'application/yaml',
  },
  {
    method: 'PUT',
    route: '/api/v1/rules',
    url: () => '/api/v1/rules',
    action: 'rules.manage',
    body: () => 'rules: [{ id: 1 }]\n',
    contentType: 'application/yaml',
  },
  // Notifications: a stale settings version (409), unknown deliveries (404).
  {
    method: 'GET',
    route: '/api/v1/settings/notifications',
    url: () => '/api/v1/settings/notifications',
    action: 'settings.manage',
  },
  {
    method: 'PUT',
    route: '/api/v1/settings/notifications',
    url: () => '/api/v1/settings/notifications',
    action: 'settings.manage',
    body: () => ({ version: 999, channels: [] }),
  },
  // Four-eyes settings: turning it on is always allowed (turning it off is tested elsewhere).
  {
    method: 'GET',
    route: '/api/v1/settings/four-eyes',
    url: () => '/api/v1/settings/four-eyes',
    action: 'settings.manage',
  },
  {
    method: 'PUT',
    route: '/api/v1/settings/four-eyes',
    url: () => '/api/v1/settings/four-eyes',
    action: 'settings.manage',
    body: () => ({ reader_grants: 'on' }),
  },
  {
    method: 'GET',
    route: '/api/v1/retention',
    url: () => '/api/v1/retention',
    action: 'retention.read',
  },
  {
    method: 'PUT',
    route: '/api/v1/retention',
    url: () => '/api/v1/retention',
    action: 'retention.manage',
    // A minimum only lengthens (applies at once): the matrix must not leave requests pending.
    body: () => ({ source: 'matrix-source', min: 'P30D' }),
  },
  {
    method: 'GET',
    route: '/api/v1/holds',
    url: () => '/api/v1/holds',
    action: 'retention.read',
  },
  {
    method: 'POST',
    route: '/api/v1/holds',
    url: () => '/api/v1/holds',
    action: 'retention.manage',
    body: () => ({ actor_id: 'matrix-person', matter: 'matrix', reason: 'permission matrix' }),
  },
  {
    method: 'POST',
    route: '/api/v1/holds/:id/release',
    url: () => `/api/v1/holds/${UNKNOWN_ULID}/release`,
    action: 'retention.manage',
    body: () => ({}),
  },
  {
    method: 'POST',
    route: '/api/v1/notifications/test',
    url: () => '/api/v1/notifications/test',
    action: 'settings.manage',
    body: () => ({}),
  },
  {
    method: 'GET',
    route: '/api/v1/notifications/deliveries',
    url: () => '/api/v1/notifications/deliveries',
    action: 'settings.manage',
  },
  {
    method: 'GET',
    route: '/api/v1/notifications/dead-letters',
    url: () => '/api/v1/notifications/dead-letters',
    action: 'settings.manage',
  },
  {
    method: 'POST',
    route: '/api/v1/notifications/dead-letters/:id/replay',
    url: () => `/api/v1/notifications/dead-letters/${UNKNOWN_ULID}/replay`,
    action: 'settings.manage',
  },
  // People, services, tokens, approvals: unknown ids, so permitted changes end in 404.
  {
    method: 'POST',
    route: '/api/v1/principals',
    url: () => '/api/v1/principals',
    action: 'principals.manage',
    body: () => ({ kind: 'service', name: 'matrix-made', roles: ['reviewer'] }),
  },
  {
    method: 'GET',
    route: '/api/v1/principals',
    url: () => '/api/v1/principals',
    action: 'principals.read',
  },
  {
    method: 'GET',
    route: '/api/v1/principals/:id',
    url: () => `/api/v1/principals/${UNKNOWN_ULID}`,
    action: 'principals.read',
  },
  {
    method: 'PATCH',
    route: '/api/v1/principals/:id',
    url: () => `/api/v1/principals/${UNKNOWN_ULID}`,
    action: 'principals.manage',
    body: () => ({ display_name: 'Matrix' }),
  },
  {
    method: 'PUT',
    route: '/api/v1/principals/:id/roles',
    url: () => `/api/v1/principals/${UNKNOWN_ULID}/roles`,
    action: 'principals.manage',
    body: () => ({ roles: ['reviewer'] }),
  },
  {
    method: 'GET',
    route: '/api/v1/principals/:id/tokens',
    url: () => `/api/v1/principals/${UNKNOWN_ULID}/tokens`,
    action: 'tokens.manage',
  },
  {
    method: 'POST',
    route: '/api/v1/principals/:id/tokens',
    url: () => `/api/v1/principals/${UNKNOWN_ULID}/tokens`,
    action: 'tokens.manage',
    body: () => ({ label: 'matrix' }),
  },
  { method: 'GET', route: '/api/v1/tokens', url: () => '/api/v1/tokens', action: 'self' },
  {
    method: 'POST',
    route: '/api/v1/tokens',
    url: () => '/api/v1/tokens',
    action: 'self',
    body: () => ({ label: 'matrix', expires_in_days: 1 }),
    // It is no account: it makes no tokens (people and services get their own).
    deniedTo: ['bootstrap token'],
  },
  {
    method: 'DELETE',
    route: '/api/v1/tokens/:id',
    url: () => '/api/v1/tokens/0000000000000000',
    action: 'self',
  },
  {
    method: 'GET',
    route: '/api/v1/approvals',
    url: () => '/api/v1/approvals',
    action: 'approvals.decide',
  },
  ...(['approve', 'reject'] as const).map(
    (step): RouteCase => ({
      method: 'POST',
      route: `/api/v1/approvals/:id/${step}`,
      url: () => `/api/v1/approvals/${UNKNOWN_ULID}/${step}`,
      action: 'approvals.decide',
    }),
  ),
  // Reviews: definitions, occurrences and working them (docs/reviews.md).
  { method: 'GET', route: '/api/v1/reviews', url: () => '/api/v1/reviews', action: 'reviews.read' },
  {
    method: 'POST',
    route: '/api/v1/reviews',
    url: () => '/api/v1/reviews',
    action: 'reviews.manage',
    body: () => ({
      name: `matrix-${Math.random().toString(36).slice(2, 10)}`,
      kind: 'log',
      cadence: 'weekly',
      sources: ['billing-*'],
      reviewers: ['role:reviewer'],
      due_days: 3,
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/reviews/:id',
    url: () => `/api/v1/reviews/${UNKNOWN_ULID}`,
    action: 'reviews.read',
  },
  {
    method: 'PUT',
    route: '/api/v1/reviews/:id',
    url: () => `/api/v1/reviews/${UNKNOWN_ULID}`,
    action: 'reviews.manage',
    body: () => ({
      name: 'matrix-unknown',
      kind: 'log',
      cadence: 'daily',
      sources: ['*'],
      reviewers: ['role:reviewer'],
      due_days: 1,
    }),
  },
  {
    method: 'GET',
    route: '/api/v1/reviews/occurrences',
    url: () => '/api/v1/reviews/occurrences',
    action: 'reviews.read',
  },
  {
    method: 'GET',
    route: '/api/v1/reviews/occurrences/:id',
    url: () => `/api/v1/reviews/occurrences/${UNKNOWN_ULID}`,
    action: 'reviews.read',
  },
  {
    method: 'GET',
    route: '/api/v1/reviews/occurrences/:id/items',
    url: () => `/api/v1/reviews/occurrences/${UNKNOWN_ULID}/items`,
    action: 'reviews.read',
  },
  ...(
    [
      ['start', undefined],
      ['observations', { item: 'review', note: 'looked' }],
      ['decisions', { item: 'principal:u-1', decision: 'keep', note: 'fine' }],
      ['sign-off', { decision: 'no_findings' }],
      ['countersign', {}],
      ['corrections', { decision: 'findings', notes: 'missed one' }],
    ] as const
  ).map(
    ([step, body]): RouteCase => ({
      method: 'POST',
      route: `/api/v1/reviews/occurrences/:id/${step}`,
      url: () => `/api/v1/reviews/occurrences/${UNKNOWN_ULID}/${step}`,
      action: 'reviews.sign_off',
      ...(body !== undefined ? { body: () => body } : {}),
    }),
  ),
  {
    method: 'GET',
    route: '/api/v1/reports/:kind',
    url: () => '/api/v1/reports/access?from=2026-11-22&to=2026-11-22',
    action: 'reports.read',
  },
  {
    method: 'POST',
    route: '/api/v1/packs',
    url: () => '/api/v1/packs',
    action: 'packs.create',
    body: () => ({ from: '2026-11-22', to: '2026-11-22' }),
  },
  { method: 'GET', route: '/api/v1/whoami', url: () => '/api/v1/whoami', action: 'authenticated' },
  // Sign-in: public endpoints that must still never fail or leak (sessions.test.ts covers them).
  {
    method: 'POST',
    route: '/api/v1/auth/login',
    url: () => '/api/v1/auth/login',
    action: undefined,
    body: () => ({ name: 'nobody', password: 'not the password 1' }),
  },
  {
    method: 'POST',
    route: '/api/v1/auth/logout',
    url: () => '/api/v1/auth/logout',
    action: undefined,
  },
  {
    method: 'GET',
    route: '/api/v1/auth/session',
    url: () => '/api/v1/auth/session',
    action: undefined,
  },
  {
    method: 'GET',
    route: '/api/v1/auth/methods',
    url: () => '/api/v1/auth/methods',
    action: undefined,
  },
  // The dashboard: public files (test/support/web-fixture); its data comes from the API.
  { method: 'GET', route: '/*', url: () => '/alerts', action: undefined },
  {
    method: 'GET',
    route: '/assets/:name',
    url: () => '/assets/app-0123abcd.js',
    action: undefined,
  },
  {
    method: 'GET',
    route: '/api/v1/auth/oidc/start',
    url: () => '/api/v1/auth/oidc/start',
    action: undefined,
  },
  {
    method: 'GET',
    route: '/api/v1/auth/oidc/callback',
    url: () => '/api/v1/auth/oidc/callback?code=abc&state=def',
    action: undefined,
  },
  {
    method: 'POST',
    route: '/api/v1/auth/cli/token',
    url: () => '/api/v1/auth/cli/token',
    action: undefined,
    body: () => ({ code: 'not-a-code', code_verifier: 'v'.repeat(43) }),
  },
  {
    method: 'POST',
    route: '/api/v1/auth/password',
    url: () => '/api/v1/auth/password',
    action: 'self',
    body: () => ({ current_password: 'not the password 1', new_password: 'a new passphrase 2' }),
  },
  // The database gateway: bodies that do not validate (400) and unknown ids (404) change nothing.
  {
    method: 'POST',
    route: '/api/v1/gateway/credentials',
    url: () => '/api/v1/gateway/credentials',
    action: 'self',
    body: () => ({ label: 'no lifetime given' }),
  },
  {
    method: 'GET',
    route: '/api/v1/gateway/credentials',
    url: () => '/api/v1/gateway/credentials',
    action: 'self',
  },
  {
    method: 'GET',
    route: '/api/v1/gateway/credentials/all',
    url: () => '/api/v1/gateway/credentials/all',
    action: 'gateway.manage',
  },
  {
    method: 'DELETE',
    route: '/api/v1/gateway/credentials/:id',
    url: () => '/api/v1/gateway/credentials/gwc_unknown',
    action: 'self',
  },
  {
    method: 'GET',
    route: '/api/v1/gateway/grants',
    url: () => '/api/v1/gateway/grants',
    action: 'gateway.manage',
  },
  {
    method: 'POST',
    route: '/api/v1/gateway/grants',
    url: () => '/api/v1/gateway/grants',
    action: 'gateway.manage',
    body: () => ({ role: 'auditor', database: 'app' }),
  },
  {
    method: 'DELETE',
    route: '/api/v1/gateway/grants/:id',
    url: () => '/api/v1/gateway/grants/gwg_unknown',
    action: 'gateway.manage',
  },
  {
    method: 'GET',
    route: '/api/v1/gateway/sync',
    url: () => '/api/v1/gateway/sync',
    action: 'gateway.sync',
  },
];

const payloadOf = (body: unknown) => (typeof body === 'string' ? body : JSON.stringify(body));

interface Credential {
  name: string;
  headers: Record<string, string>;
  /** Secret text that must never come back in an answer. */
  secret?: string;
  /** What the credential may do; undefined: it is invalid (401 everywhere but public). */
  allows?: (action: Action) => boolean;
}

const roles = (grants: Grant[]) => (action: Action) =>
  action === 'self' ||
  grants.some(
    (g) =>
      ROLE_ACTIONS[g.role].includes(action) &&
      (!UNSCOPED_ONLY_ACTIONS.has(action) || g.sources === undefined),
  );

describe('permission matrix: every route × every credential', () => {
  let t: TestServer;
  let fixture: Fixture;
  const credentials: Credential[] = [];

  before(async () => {
    t = await testServer();
    const billing = await t.ingestKey('billing-api');
    const other = await t.ingestKey('hr-api');
    const postAs = async (key: { authorization: string }, source: string) => {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...key, 'content-type': 'application/json' },
        payload: JSON.stringify(event({ action: `${source}.read` })),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().entries[0].id as string;
    };
    fixture = {
      billingEventId: await postAs(billing, 'billing'),
      otherEventId: await postAs(other, 'hr'),
      ingestKeyId: billing.id,
    };

    const accounts = new AccountDirectory(t.log.store);
    const tokens = new ApiTokens(t.log.store.state);
    const now = t.clock.now();
    let n = 0;
    const tokenFor = async (
      grants: Grant[],
      options: { expiresInMs?: number; revoke?: boolean; disable?: boolean } = {},
    ) => {
      const id = `acct-${++n}`;
      await accounts.create({
        id,
        kind: 'person',
        name: `matrix-${n}`,
        displayName: null,
        email: null,
        grants,
        passwordHash: null,
        oidc: null,
        disabled: options.disable ?? false,
        createdAtMs: now,
        createdBy: 'test',
        signIn: { failures: 0, lastFailureMs: null, lockedUntilMs: null, lastSuccessMs: null },
      });
      const created = await tokens.create({
        accountId: id,
        label: null,
        roles: null,
        expiresAtMs: now + (options.expiresInMs ?? 3_600_000),
        createdBy: 'test',
        nowMs: now - 1,
      });
      if (options.revoke) await tokens.revoke(created.record.id, 'test', now);
      return { authorization: `Bearer ${created.token}`, secret: created.token };
    };
    const valid = async (name: string, grants: Grant[]) => {
      const c = await tokenFor(grants);
      credentials.push({
        name,
        headers: { authorization: c.authorization },
        secret: c.secret,
        allows: roles(grants),
      });
    };
    const invalid = (name: string, headers: Record<string, string>, secret?: string) =>
      credentials.push({ name, headers, ...(secret ? { secret } : {}) });

    invalid('no credential', {});
    invalid('malformed bearer', { authorization: 'Bearer not a token' });
    invalid('basic auth', { authorization: 'Basic YWRtaW46YWRtaW4=' });
    invalid('unknown api token', {
      authorization: 'Bearer evt_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    invalid('wrong bootstrap token', { authorization: `Bearer ${ADMIN_TOKEN}x` });
    const expired = await tokenFor([{ role: 'auditor' }], { expiresInMs: 0 });
    invalid('expired token', { authorization: expired.authorization }, expired.secret);
    const revoked = await tokenFor([{ role: 'auditor' }], { revoke: true });
    invalid('revoked token', { authorization: revoked.authorization }, revoked.secret);
    const disabled = await tokenFor([{ role: 'auditor' }], { disable: true });
    invalid('disabled account', { authorization: disabled.authorization }, disabled.secret);
    const gone = await t.ingestKey('gone-api');
    await t.log.store.revokeIngestKey(gone.id, now);
    invalid('revoked ingest key', gone);
    invalid('session cookie that was never issued', { cookie: 'evident_session=forged-value' });

    credentials.push({
      name: 'ingest key',
      headers: billing,
      secret: billing.authorization.slice(7),
      allows: (a) => INGEST_ACTIONS.includes(a),
    });
    credentials.push({
      name: 'bootstrap token',
      headers: t.admin,
      secret: ADMIN_TOKEN,
      allows: roles([{ role: 'admin' }, { role: 'auditor' }]),
    });
    await valid('admin', [{ role: 'admin' }]);
    await valid('auditor', [{ role: 'auditor' }]);
    await valid('reviewer', [{ role: 'reviewer' }]);
    await valid('gateway', [{ role: 'gateway' }]);
    await valid('no roles', []);
    await valid('reviewer of billing-*', [{ role: 'reviewer', sources: ['billing-*'] }]);
    await valid('auditor of hr-api', [{ role: 'auditor', sources: ['hr-api'] }]);
  });
  after(async () => t.close());

  it('has a row for every registered route, and no row without a route', () => {
    const registered = registeredRoutes(t.app)
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    const rows = CASES.map((c) => `${c.method} ${c.route}`).sort();
    assert.deepEqual(rows, registered);
  });

  it('answers 401 to every invalid credential and 403 to every missing permission', async () => {
    const before = await t.log.store.head();
    const failures: string[] = [];
    for (const c of CASES) {
      for (const cred of credentials) {
        const res = await t.app.inject({
          method: c.method as 'GET',
          url: c.url(fixture),
          headers: {
            ...cred.headers,
            ...(c.body ? { 'content-type': c.contentType ?? 'application/json' } : {}),
          },
          ...(c.body ? { payload: payloadOf(c.body(fixture)) } : {}),
        });
        const where = `${c.method} ${c.url(fixture)} as ${cred.name}: ${res.statusCode} ${res.body.slice(0, 200)}`;
        if (res.statusCode >= 500) failures.push(`5xx — ${where}`);
        if (cred.secret && res.body.includes(cred.secret)) failures.push(`leaks secret — ${where}`);
        if (/\bat .+\.(ts|js):\d+/.test(res.body)) failures.push(`leaks a stack — ${where}`);
        let expected: 'public' | 401 | 403 | 'allowed';
        if (c.action === undefined) expected = 'public';
        else if (!cred.allows) expected = 401;
        else if (c.deniedTo?.includes(cred.name)) expected = 403;
        else if (c.action === 'authenticated') expected = 'allowed';
        else expected = cred.allows(c.action) ? 'allowed' : 403;
        if (expected === 401 || expected === 403) {
          if (res.statusCode !== expected) failures.push(`expected ${expected} — ${where}`);
          const code = res.json().error?.code;
          if (code !== (expected === 401 ? 'unauthorized' : 'forbidden')) {
            failures.push(`error code ${code} — ${where}`);
          }
        } else if (expected === 'allowed' && (res.statusCode === 401 || res.statusCode === 403)) {
          failures.push(`expected access — ${where}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    // Nothing any of it did changed or removed an entry: the log still verifies and extends.
    const report = await verifyStore(t.log.store);
    assert.equal(report.ok, true, JSON.stringify(report.problems));
    assert.ok((await t.log.store.head())!.size >= before!.size);
  });

  it('hides other sources from scoped readers: 404, as if the entry did not exist', async () => {
    const scoped = credentials.find((c) => c.name === 'reviewer of billing-*')!;
    const own = await t.app.inject({
      url: `/api/v1/events/${fixture.billingEventId}`,
      headers: scoped.headers,
    });
    assert.equal(own.statusCode, 200);
    const other = await t.app.inject({
      url: `/api/v1/events/${fixture.otherEventId}`,
      headers: scoped.headers,
    });
    assert.equal(other.statusCode, 404);
    const unknown = await t.app.inject({
      url: `/api/v1/events/${UNKNOWN_ULID}`,
      headers: scoped.headers,
    });
    assert.equal(
      other.json().error.message.includes(fixture.otherEventId),
      unknown.json().error.message.includes(UNKNOWN_ULID),
    );
    const search = await t.app.inject({
      url: '/api/v1/events?limit=1000',
      headers: scoped.headers,
    });
    const sources = new Set(
      search.json().entries.map((e: { record: { source: string } }) => e.record.source),
    );
    assert.deepEqual([...sources], ['billing-api']);
  });

  it('refuses an ingest key appending as another source', async () => {
    const key = credentials.find((c) => c.name === 'ingest key')!;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...key.headers, 'content-type': 'application/json' },
      payload: JSON.stringify(event({ source: 'hr-api' })),
    });
    assert.ok(res.statusCode === 400 || res.statusCode === 403, res.body);
    assert.equal(res.body.includes(key.secret!), false);
  });
});
