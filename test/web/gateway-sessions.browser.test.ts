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

/** Fields an attacker with an ingest key controls; the page must show them as text. */
const HOSTILE_DATABASE = '<img src=x onerror=alert(1)>';
const HOSTILE_REASON = '<script>alert(2)</script>\u202Edesrever';

/** What the gateway appends for one session (docs/gateway.md, Events). */
const session = (id: string, end: Record<string, unknown> | undefined, database = 'app') => [
  {
    time: '2026-11-22T08:59:00.000Z',
    actor: { id: 'acct-ada', name: 'ada', type: 'user', session: id, ip: '10.0.0.7' },
    action: 'db.connect',
    target: { type: 'database', id: database },
    outcome: 'success',
    details: { session: id, upstream_role: 'gateway_svc' },
  },
  ...(end
    ? [
        {
          time: '2026-11-22T08:59:30.000Z',
          actor: { id: 'acct-ada', name: 'ada', type: 'user', session: id },
          action: 'db.disconnect',
          target: { type: 'database', id: database },
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
      ...session(
        '01JSESSIONHOSTILE000000000',
        { reason: HOSTILE_REASON, details: { session: '01JSESSIONHOSTILE000000000' } },
        HOSTILE_DATABASE,
      ),
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
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${base}/`);
    await page.getByLabel('Name').fill('auditor-1');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Gateway sessions', exact: true }).click();
    await page.getByRole('heading', { name: 'Gateway sessions' }).waitFor();
    await page.locator('table tbody tr').nth(2).waitFor();
    const rows = await page.locator('table tbody tr').allInnerTexts();
    assert.equal(rows.length, 3);
    const closed = rows.find((r) => r.includes('01JSESSIONCLOSED'))!;
    assert.match(closed, /ada \(acct-ada\)/);
    assert.match(closed, /app/);
    assert.match(closed, /gateway_svc/);
    assert.match(closed, /credential revoked/);
    assert.match(closed, /\b3\b/);
    assert.match(rows.find((r) => r.includes('01JSESSIONOPEN'))!, /open/);
    // The hostile session is shown as the text it is, and nothing in it ran.
    const hostile = rows.find((r) => r.includes('01JSESSIONHOSTILE'))!;
    assert.ok(hostile.includes(HOSTILE_DATABASE), hostile);
    assert.ok(hostile.includes('<script>alert(2)</script>'), hostile);
    assert.equal(await page.locator('table img').count(), 0);
    assert.deepEqual(dialogs, []);
    await context.close();
  });
});
