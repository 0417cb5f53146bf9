import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHROMIUM_ENABLED, launchChromium } from '../support/chromium.js';
import { listenOnLoopback } from '../support/oidc-provider.js';
import { repoRoot } from '../support/processes.js';
import { PASSWORD, person, TEST_SCRYPT } from '../support/sign-in.js';
import { type TestServer, testServer } from '../support/test-server.js';

const WEB_ROOT = join(repoRoot, 'dist', 'web');

/** What the gateway appends for one session (docs/gateway.md, Events). */
const session = (id: string, end: Record<string, unknown> | undefined) => [
  {
    time: '2026-11-22T08:59:00.000Z',
    actor: { id: 'acct-ada', name: 'ada', type: 'user', session: id, ip: '10.0.0.7' },
    action: 'db.connect',
    target: { type: 'database', id: 'app' },
    outcome: 'success',
    details: { session: id, upstream_role: 'gateway_svc' },
  },
  ...(end
    ? [
        {
          time: '2026-11-22T08:59:30.000Z',
          actor: { id: 'acct-ada', name: 'ada', type: 'user', session: id },
          action: 'db.disconnect',
          target: { type: 'database', id: 'app' },
          outcome: 'success',
          ...end,
        },
      ]
    : []),
];

/** The gateway sessions page in Debian's Chromium: sessions from their connect/disconnect events. */
describe('dashboard: gateway sessions', { skip: !CHROMIUM_ENABLED }, () => {
  let t: TestServer;
  let server: Server;
  let base: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;

  before(async () => {
    t = await testServer({ webRoot: WEB_ROOT, signIn: { passwordParams: TEST_SCRYPT } });
    server = createServer((req, res) => t.app.routing(req, res));
    base = await listenOnLoopback(server);
    await person(t, { name: 'auditor-1', grants: [{ role: 'auditor' }] });
    const key = await t.ingestKey('pg-gateway');
    const records = [
      ...session('01JSESSIONCLOSED0000000000', {
        reason: 'credential revoked',
        details: { session: '01JSESSIONCLOSED0000000000', statements: 3 },
      }),
      ...session('01JSESSIONOPEN000000000000', undefined),
    ];
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...key, 'content-type': 'application/json' },
      payload: JSON.stringify(records),
    });
    assert.equal(res.statusCode, 201, res.body);
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    server?.close();
    await t?.close();
  });

  it('lists each session once, with its person, database, end and statement count', async () => {
    const context = await chromium.browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByLabel('Name').fill('auditor-1');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Gateway sessions', exact: true }).click();
    await page.getByRole('heading', { name: 'Gateway sessions' }).waitFor();
    await page.locator('table tbody tr').nth(1).waitFor();
    const rows = await page.locator('table tbody tr').allInnerTexts();
    assert.equal(rows.length, 2);
    const closed = rows.find((r) => r.includes('01JSESSIONCLOSED'))!;
    assert.match(closed, /ada \(acct-ada\)/);
    assert.match(closed, /app/);
    assert.match(closed, /gateway_svc/);
    assert.match(closed, /credential revoked/);
    assert.match(closed, /\b3\b/);
    assert.match(rows.find((r) => r.includes('01JSESSIONOPEN'))!, /open/);
    await context.close();
  });
});
