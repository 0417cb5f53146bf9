import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { OIDC_CALLBACK_PATH } from '../../src/access/sign-in/oidc-settings.js';
import { generateSeed, publicKeyFromSeed } from '../../src/core/ed25519.js';
import { formatVerifierKey } from '../../src/core/note.js';
import { startNotifier } from '../../src/monitor/notify/notifier.js';
import { alertService, newAlert } from '../monitor/alerts/support.js';
import { alert as raisedAlert } from '../monitor/notify/fixtures.js';
import { CHROMIUM_ENABLED, launchChromium } from '../support/chromium.js';
import {
  listenOnLoopback,
  startOpenIdProvider,
  type TestOpenIdProvider,
} from '../support/oidc-provider.js';
import { repoRoot } from '../support/processes.js';
import { person, TEST_SCRYPT } from '../support/sign-in.js';
import { event, type TestServer, testServer } from '../support/test-server.js';

// The few page globals the in-page callbacks below use (the tests compile without DOM types).
declare const document: {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  getElementById(id: string): { value?: string } | null;
  querySelectorAll(selector: string): { length: number };
};
declare const location: { search: string };

const WEB_ROOT = join(repoRoot, 'dist', 'web');
const SCREENSHOTS =
  process.env.EVIDENT_SCREENSHOTS === '1' ? join(repoRoot, 'docs', 'screenshots') : undefined;
const PASSWORD = 'a long enough passphrase';
/** An event a second before the test clock's now: no clock-skew flag on every row. */
const ev = (overrides: Record<string, unknown> = {}) =>
  event({ time: '2026-11-22T08:59:59.000Z', ...overrides });
const BIG = 'A'.repeat(30_000);

/** Attacker-written fields: each must render as inert text on every page. */
const XSS_CORPUS: Record<string, unknown>[] = [
  ev({ actor: { id: 'x-script', name: '<script>alert(1)</script>' }, action: 'customer.read' }),
  ev({
    actor: { id: 'x-img' },
    target: { type: 'customer', id: 'c-img', name: '<img src=x onerror=alert(2)>' },
  }),
  ev({
    actor: { id: 'x-js' },
    reason: 'javascript:alert(3)',
    details: { link: 'javascript:alert(3)' },
  }),
  ev({
    actor: { id: 'x-svg' },
    details: { svg: '<svg onload=alert(4)><a xlink:href="javascript:alert(5)">x</a></svg>' },
  }),
  ev({
    actor: { id: 'x-css', name: '" style="background:url(http://evil.example/y)' },
    details: { css: '</style><style>*{background:url(http://evil.example/x)}</style>' },
  }),
  ev({
    actor: { id: 'x-rtl', name: 'admin\u202Egnp.exe' },
    target: { type: 'file', id: '\u202Eevil' },
  }),
  ev({ actor: { id: 'x-big' }, details: { big: BIG } }),
  ev({
    actor: { id: 'x-null', name: 'null' },
    target: { type: 'customer', id: 'undefined', name: '[object Object]' },
    details: { a: null, b: '', c: {}, d: [], e: 0, f: false },
  }),
];

/**
 * The dashboard end to end in Debian's Chromium against a real server (one server, one
 * browser): sign-in, search terms, the event drawer and in-browser verification (and its
 * failure on a forged proof), an alert handled start to finish, a scoped reviewer who never
 * sees another source, hostile records that stay inert, and axe-core on the main pages.
 */
describe('web dashboard in a real browser', { skip: !CHROMIUM_ENABLED }, () => {
  let t: TestServer;
  let evidentServer: Server;
  let op: TestOpenIdProvider;
  let base: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let billingAlertId: string;
  const problems: string[] = [];
  const idsBy = new Map<string, string>();

  before(async () => {
    if (!existsSync(join(WEB_ROOT, 'index.html'))) {
      execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: repoRoot });
    }
    // Evident's port first: the OpenID provider must know the callback URL.
    evidentServer = createServer();
    base = await listenOnLoopback(evidentServer);
    const client = {
      clientId: 'evident',
      clientSecret: 'evident-client-secret-0123456789',
      redirectUri: `${base}${OIDC_CALLBACK_PATH}`,
    };
    op = await startOpenIdProvider({ clients: [client] });
    t = await testServer({
      webRoot: WEB_ROOT,
      signIn: {
        passwordParams: TEST_SCRYPT,
        oidc: {
          issuer: op.issuer,
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          redirectUrl: client.redirectUri,
        },
      },
    });
    evidentServer.on('request', (req, res) => t.app.routing(req, res));
    const ingest = async (source: string, records: Record<string, unknown>[]) => {
      const key = await t.ingestKey(source);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...key, 'content-type': 'application/json' },
        payload: JSON.stringify(records),
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().entries as { id: string; seq: number }[];
    };
    const billing = await ingest('billing-api', [
      ev({
        actor: { id: 'u-123', name: 'Ada', ip: '10.0.0.7' },
        target: { type: 'customer', id: 'c-9' },
      }),
      ev({ actor: { id: 'u-456', name: 'Bob' }, action: 'customer.update', outcome: 'failure' }),
      ev({ actor: { id: 'u-123', name: 'Ada' }, action: 'invoice.read' }),
    ]);
    idsBy.set('first-billing', billing[0]!.id);
    idsBy.set('bob-failure', billing[1]!.id);
    const hr = await ingest('hr-api', [
      ev({
        actor: { id: 'u-789', name: 'Hank' },
        action: 'employee.read',
        target: { type: 'employee', id: 'e-1' },
      }),
    ]);
    const corpus = await ingest('billing-api', XSS_CORPUS);
    for (const [i, e] of corpus.entries()) idsBy.set(`xss-${i}`, e.id);
    for (const [name, description] of [
      ['billing-api', 'Card payments and invoices'],
      ['hr-api', 'Employee records'],
    ]) {
      const declared = await t.app.inject({
        method: 'PUT',
        url: `/api/v1/sources/${name}`,
        headers: { ...t.admin, 'content-type': 'application/json' },
        payload: JSON.stringify({ description, expected_max_silence: '1h' }),
      });
      assert.equal(declared.statusCode, 200, declared.body);
    }
    const { service } = alertService(t);
    billingAlertId = (
      await service.raise(
        newAlert({ key: 'billing-1', title: 'Failed updates by u-456', seqs: [billing[1]!.seq] }),
      )
    ).id;
    await service.raise(
      newAlert({
        key: 'billing-2',
        title: 'Invoice reads at night',
        severity: 'low',
        seqs: [billing[2]!.seq],
      }),
    );
    await service.raise(
      newAlert({
        key: 'hr-1',
        title: 'hr-api: bulk employee reads',
        sources: ['hr-api'],
        seqs: [hr[0]!.seq],
      }),
    );
    await person(t, {
      name: 'ada',
      password: PASSWORD,
      grants: [{ role: 'auditor' }, { role: 'reviewer' }],
    });
    await person(t, {
      name: 'rita',
      password: PASSWORD,
      grants: [{ role: 'reviewer', sources: ['billing-*'] }],
    });
    await person(t, { name: 'grace', password: PASSWORD, grants: [{ role: 'admin' }] });
    await person(t, {
      name: 'olga',
      password: null,
      grants: [{ role: 'reviewer' }],
      oidc: { issuer: op.issuer, subject: 'olga-sub' },
    });
    chromium = await launchChromium();
    if (SCREENSHOTS) mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await chromium?.close();
    evidentServer?.closeAllConnections();
    await new Promise((resolve) => evidentServer?.close(resolve));
    await t?.close();
    await op?.close();
  });

  /** A fresh context (cookies, storage) whose page fails the test on anything active. */
  const open = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // A refused API call (401 before sign-in, 400/403/404 shown on the page) is logged by
      // the browser itself; anything else is a problem.
      if (
        m.type() === 'error' &&
        !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
      )
        problems.push(`console error: ${m.text()}`);
    });
    page.on('request', (r) => {
      // The OpenID provider's pages are the one other origin a sign-in visits.
      if (!r.url().startsWith(`${base}/`) && !r.url().startsWith(`${op.issuer}/`))
        problems.push(`request to another origin: ${r.url()}`);
    });
    return { context, page };
  };

  const signIn = async (page: Page, name: string) => {
    await page.getByLabel('Name').fill(name);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
  };

  const search = async (page: Page, query: string) => {
    await page.getByLabel('Query').fill(query);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForFunction(
      (q) =>
        new URLSearchParams(location.search).get('q') === q &&
        document.querySelector('section.search')?.getAttribute('data-answered-query') === q,
      query,
    );
  };

  /** No element, attribute or script came from data: everything rendered as text. */
  const assertInert = async (page: Page) => {
    const active = await page.evaluate(
      `document.querySelectorAll('img, svg:not(.chart), iframe, object, embed, style, [onerror], [onload], [style], a[href^="javascript:"]').length + document.scripts.length - 1`,
    );
    assert.equal(active, 0, 'no element came from a record');
  };

  const rowsText = (page: Page) => page.locator('table.events tbody').innerText();

  const shot = async (page: Page, name: string) => {
    if (SCREENSHOTS)
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false });
  };

  const axe = async (page: Page, where: string) => {
    const source = readFileSync(join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
    // Evaluated through DevTools, not a <script>: the page's CSP rightly refuses inline code.
    await page.evaluate(source);
    const violations = (await page.evaluate(
      `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.help + ' (' + v.nodes.length + ')'))`,
    )) as string[];
    assert.deepEqual(violations, [], `axe-core on ${where}`);
  };

  it('signs in with a password where the person was going, searches with terms, back button works', async () => {
    const { context, page } = await open();
    const res = await page.goto(`${base}/?q=${encodeURIComponent('actor:u-123')}`);
    assert.match(res!.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await page.getByRole('heading', { name: 'Sign in to Evident' }).waitFor();
    await axe(page, 'sign-in');
    await shot(page, 'sign-in');
    await signIn(page, 'ada');
    await page.locator('table.events tbody tr').first().waitFor();
    assert.equal(await page.getByLabel('Query').inputValue(), 'actor:u-123');
    let rows = await rowsText(page);
    assert.match(rows, /u-123/);
    assert.doesNotMatch(rows, /u-456/);

    await search(page, 'outcome:failure');
    rows = await rowsText(page);
    assert.match(rows, /customer\.update/);
    assert.doesNotMatch(rows, /invoice\.read/);
    await search(page, 'source:hr-api action:employee.read');
    assert.match(await rowsText(page), /Hank/);
    await search(page, 'target:c-9');
    assert.match(await rowsText(page), /Ada \(u-123\)/);
    // Free text searches actor names (actor_name).
    await search(page, 'Ada');
    await page.locator('table.events tbody').getByText('Ada (u-123)').first().waitFor();
    assert.doesNotMatch(await rowsText(page), /Bob/);
    await page.goBack();
    await page.goBack();
    await page.waitForFunction(
      () => document.getElementById('q')?.value === 'source:hr-api action:employee.read',
    );
    assert.match(await rowsText(page), /Hank/);

    // An address range: only events from inside it.
    await search(page, 'ip:10.0.0.0/8');
    await page.locator('table.events tbody').getByText('Ada (u-123)').first().waitFor();
    assert.doesNotMatch(await rowsText(page), /Bob|Hank/);
    // A term the server does not know is shown with its reason, never dropped.
    await search(page, 'colour:red');
    assert.match(await page.getByRole('alert').innerText(), /"colour:" is not a search term/);

    // The date picker writes terms into the query (event time here), so the URL holds them.
    await search(page, 'actor:u-123');
    await page.getByText('Date range…').click();
    await page.getByLabel('Time of').selectOption('event');
    await page.getByLabel('From', { exact: true }).fill('2026-11-22T08:00');
    await page.getByRole('button', { name: 'Add to query' }).click();
    await page.waitForFunction(() =>
      /^actor:u-123 time_from:2026-11-2\dT\d\d:00:00\.000Z$/.test(
        new URLSearchParams(location.search).get('q') ?? '',
      ),
    );

    await search(page, 'source:billing-api');
    // Saved searches are kept per person on the server; ones an earlier dashboard kept in
    // this browser move there on the next load.
    const me = (await page.evaluate("fetch('/api/v1/whoami').then((r) => r.json())")) as {
      id: string;
    };
    await page.evaluate(
      `localStorage.setItem('evident.saved-searches:${me.id}', JSON.stringify([{ name: 'old failures', q: 'outcome:failure', range: '' }]))`,
    );
    await page.reload();
    await page.getByText('Saved searches (1)').click();
    await page.getByRole('link', { name: 'old failures' }).waitFor();
    assert.equal(
      await page.evaluate(`localStorage.getItem('evident.saved-searches:${me.id}')`),
      null,
    );
    await page.getByRole('button', { name: 'Save this search' }).click();
    await page.getByText('Saved searches (2)').waitFor();
    await context.close();
    const second = await open();
    await second.page.goto(`${base}/?q=source:billing-api`);
    await signIn(second.page, 'ada');
    await second.page.getByText('Saved searches (2)').click();
    await second.page.getByRole('link', { name: 'source:billing-api' }).waitFor();
    const page2 = second.page;
    await page2.locator('.facets[data-scanned]').waitFor();
    // Facets count the whole result: 3 events and the 8 of the hostile corpus.
    assert.match(await page2.locator('.facets').innerText(), /Counted over all 11 matches/);
    await axe(page2, 'search');
    await shot(page2, 'search');
    await second.context.close();
  });

  it('signs in through OpenID Connect and lands on the page the person was going to', async () => {
    const { context, page } = await open();
    op.user = 'olga-sub';
    await page.goto(`${base}/alerts?state=open`);
    await page.getByRole('link', { name: /single sign-on/ }).click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/alerts');
    assert.equal(new URL(page.url()).searchParams.get('state'), 'open');
    assert.match(await page.locator('.who').innerText(), /olga/);
    await context.close();
  });

  it('opens an event, verifies it in the browser, and refuses a forged proof or a changed key', async () => {
    const { context, page } = await open();
    const id = idsBy.get('first-billing')!;
    await page.goto(`${base}/?q=actor:u-123&event=${id}`);
    await signIn(page, 'ada');
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Leaf hash').waitFor();
    await drawer.getByRole('button', { name: 'Verify in this browser' }).click();
    const ok = drawer.locator('[data-verified="true"]');
    await ok.waitFor();
    assert.match(await ok.innerText(), /Verified in this browser.*pinned the log key now/s);
    const origin = (await t.app.inject({ url: '/api/v1/log/keys' })).json().origin as string;
    const pinned = await page.evaluate(
      `localStorage.getItem(${JSON.stringify(`evident.pinned-log-key:${origin}`)})`,
    );
    assert.equal(pinned, (await t.app.inject({ url: '/api/v1/log/keys' })).json().current);
    await axe(page, 'event drawer');
    await shot(page, 'event-verified');

    // The server (or a proxy) forges the proof: one hash flipped.
    await page.route('**/api/v1/log/proof/inclusion**', async (route) => {
      const real = await route.fetch();
      const body = await real.json();
      const first = Buffer.from(body.hashes[0], 'base64');
      first[0] = first[0]! ^ 1;
      body.hashes[0] = first.toString('base64');
      await route.fulfill({ response: real, json: body });
    });
    await drawer.getByRole('button', { name: 'Verify in this browser' }).click();
    const failed = drawer.locator('[data-verified="false"]');
    await failed.waitFor();
    assert.match(await failed.innerText(), /Verification failed.*does not lead to the root/s);
    await page.unroute('**/api/v1/log/proof/inclusion**');

    // A pinned key the log's history does not chain from is a warning, not a silent re-pin.
    const stranger = formatVerifierKey(origin, publicKeyFromSeed(generateSeed()));
    await page.evaluate(
      `localStorage.setItem(${JSON.stringify(`evident.pinned-log-key:${origin}`)}, ${JSON.stringify(stranger)})`,
    );
    await drawer.getByRole('button', { name: 'Verify in this browser' }).click();
    await failed.waitFor();
    assert.match(await failed.innerText(), /The log key changed/);
    await context.close();
  });

  it('handles an alert end to end: acknowledge, assign, comment, resolve; history and MTTA', async () => {
    const { context, page } = await open();
    await page.goto(`${base}/alerts?state=open`);
    await signIn(page, 'ada');
    await page.getByRole('link', { name: /Z$/ }).first().waitFor();
    await axe(page, 'alerts');
    await shot(page, 'alerts');
    // Bulk: select one alert in the queue and acknowledge it.
    await page
      .getByLabel(/^Select alert /)
      .first()
      .waitFor();
    const lowRow = page.locator('table.alerts tbody tr', { hasText: 'Invoice reads at night' });
    await lowRow.getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Acknowledge selected (1)' }).click();
    await page.getByText('Acknowledged 1 of 1.').waitFor();
    // The event the alert was raised on links back to it from its drawer.
    await page.goto(`${base}/?event=${idsBy.get('bob-failure')}`);
    await page.getByRole('heading', { name: 'Alerts raised on it' }).waitFor();
    await page.getByRole('link', { name: 'Failed updates by u-456' }).click();
    assert.equal(new URL(page.url()).pathname, `/alerts/${billingAlertId}`);
    await page.getByRole('heading', { name: 'Failed updates by u-456' }).waitFor();
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.locator('[data-state="acknowledged"]').waitFor();
    await page.getByLabel('Assign to').fill('ada');
    await page.getByRole('button', { name: 'Assign' }).click();
    await page
      .locator('ol.history')
      .getByText(/— assign by/)
      .waitFor();
    await page.getByLabel('Comment').fill('Bob retried a card update; checking with billing.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.getByText('Bob retried a card update').waitFor();
    // Resolving without a disposition: the server's 400 is shown, nothing changes.
    await page.getByRole('button', { name: 'Resolve' }).click();
    assert.match(await page.getByRole('alert').innerText(), /disposition/);
    await page.getByLabel('Disposition').selectOption('benign');
    await page.getByLabel('Resolution note').fill('Expected retries after a card expiry.');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.locator('[data-state="resolved"]').waitFor();
    const history = await page.locator('ol.history').innerText();
    for (const step of ['acknowledge', 'assign', 'comment', 'resolve'])
      assert.match(history, new RegExp(step));
    await axe(page, 'alert detail');
    await shot(page, 'alert-detail');
    const stored = await t.app.inject({
      url: `/api/v1/alerts/${billingAlertId}`,
      headers: t.admin,
    });
    assert.equal(stored.json().state, 'resolved');
    assert.equal(stored.json().resolution.disposition, 'benign');
    await page.goto(`${base}/alerts`);
    await page.getByText('MTTA').waitFor();
    await context.close();
  });

  it('shows a reviewer of billing-* nothing of hr-api on any page', async () => {
    const { context, page } = await open();
    await page.goto(`${base}/`);
    await signIn(page, 'rita');
    await page.locator('table.events tbody tr').first().waitFor();
    const pages = [
      `${base}/`,
      `${base}/overview`,
      `${base}/sources`,
      `${base}/?q=source:hr-api`,
      `${base}/alerts`,
      `${base}/alerts?state=open`,
      `${base}/integrity`,
      `${base}/timeline?actor=u-789`,
      `${base}/timeline?target=e-1`,
    ];
    for (const url of pages) {
      await page.goto(url);
      await page.waitForLoadState('networkidle');
      const textOnPage = await page.locator('body').innerText();
      assert.doesNotMatch(textOnPage, /hr-api\b(?!\))|Hank|employee/, url);
    }
    await page.goto(`${base}/`);
    await page.locator('table.events tbody tr').first().waitFor();
    await page.locator('.facets[data-scanned]').waitFor();
    const facets = await page.locator('.facets').innerText();
    assert.match(facets, /billing-api\s*11/);
    assert.match(facets, /Counted over all 11 matches/);
    assert.doesNotMatch(facets, /hr-api|u-789/);
    await context.close();
  });

  it('renders hostile records as inert text on the search page and in the drawer', async () => {
    const { context, page } = await open();
    await page.goto(`${base}/?q=source:billing-api`);
    await signIn(page, 'ada');
    await page.locator('table.events tbody tr').first().waitFor();
    const rows = await rowsText(page);
    assert.match(rows, /<script>alert\(1\)<\/script>/);
    assert.match(rows, /⟨U\+202E⟩/);
    for (let i = 0; i < XSS_CORPUS.length; i++) {
      await page.goto(`${base}/?q=source:billing-api&event=${idsBy.get(`xss-${i}`)}`);
      await page.getByRole('dialog').getByText('Leaf hash').waitFor();
    }
    // The biggest and the bidi record still hash in the browser to what the server signed.
    for (const i of [5, 6]) {
      await page.goto(`${base}/?q=source:billing-api&event=${idsBy.get(`xss-${i}`)}`);
      await page.getByRole('button', { name: 'Verify in this browser' }).click();
      await page.locator('[data-verified="true"]').waitFor();
    }
    await assertInert(page);
    await context.close();
    assert.deepEqual(problems, []);
  });

  it('shows who accessed a customer record and a person’s activity, windowing long pages', async () => {
    const { context, page } = await open();
    await page.goto(`${base}/timeline`);
    await signIn(page, 'ada');
    // The picker, then the target's access history.
    await page.getByLabel('Timeline of').selectOption('target');
    await page.getByLabel('Id').fill('c-9');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.locator('section.timeline[data-loaded]').waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), 'Who accessed c-9');
    const accessed = await page.locator('ul.top-list').innerText();
    assert.match(accessed, /^u-123\s*2\nu-456\s*1\n/);
    assert.match(await rowsText(page), /Ada \(u-123\)/);
    // From the record's history to the person's: everything they did.
    await page.locator('ul.top-list').getByRole('link', { name: 'u-123' }).click();
    await page.waitForFunction(() => new URLSearchParams(location.search).get('actor') === 'u-123');
    await page.locator('section.timeline[data-loaded]').waitFor();
    assert.match(await page.locator('p.count').first().innerText(), /^2 events in this period/);
    assert.match(
      await page.locator('ul.top-list').innerText(),
      /customer\.read[\s\S]*invoice\.read/,
    );
    await page.locator('figure.chart').waitFor();
    await axe(page, 'timeline');
    await shot(page, 'timeline');

    // Hostile actor and target ids render as text here too.
    for (const url of [
      `/timeline?actor=${encodeURIComponent('x-script')}`,
      `/timeline?target=${encodeURIComponent('\u202Eevil')}&target_type=file`,
      `/timeline?target=c-img&target_type=customer`,
      `/timeline?actor=${encodeURIComponent('<img src=x onerror=alert(9)>')}`,
    ]) {
      await page.goto(`${base}${url}`);
      await page.locator('section.timeline[data-loaded]').waitFor();
      await assertInert(page);
    }

    // A long page draws only the rows in view; scrolling brings the rest.
    const key = await t.ingestKey('bulk-api');
    const bulk = Array.from({ length: 120 }, (_, i) =>
      ev({ actor: { id: 'u-bulk' }, action: `bulk.${String(i).padStart(3, '0')}` }),
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...key, 'content-type': 'application/json' },
      payload: JSON.stringify(bulk),
    });
    assert.equal(res.statusCode, 201, res.body);
    await page.goto(`${base}/timeline?actor=u-bulk`);
    await page.locator('table.events[data-rows="120"]').waitFor();
    const drawn = (await page.evaluate(
      "document.querySelectorAll('table.events tbody tr:not(.spacer)').length",
    )) as number;
    assert.ok(drawn > 10 && drawn < 80, `drew ${drawn} of 120 rows`);
    assert.equal(await page.getByRole('cell', { name: 'bulk.000', exact: true }).count(), 0);
    await page.evaluate("document.querySelector('section.table-scroll').scrollTop = 1e6");
    await page.getByRole('cell', { name: 'bulk.000', exact: true }).waitFor();
    assert.equal(await page.getByRole('cell', { name: 'bulk.119', exact: true }).count(), 0);
    await context.close();
    assert.deepEqual(problems, []);
  });

  it('renders hostile notification settings and dead letters as inert text, and replays one', async () => {
    // Settings whose every free-text field is hostile, and dead letters whose alert titles
    // and errors come from the XSS corpus (alert titles quote events; errors, receivers).
    const SMTP_PASSWORD = 'smtp password never shown';
    const HOSTILE_URL = 'https://evil.example/"><img src=x onerror=alert(20)>';
    const HOSTILE_CA =
      '-----BEGIN CERTIFICATE-----\n</textarea><script>alert(21)</script><svg onload=alert(22)>\n-----END CERTIFICATE-----\n';
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/v1/settings/notifications',
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload: JSON.stringify({
        channels: [
          { type: 'webhook', id: 'soc-hook', url: HOSTILE_URL, min_severity: 'low' },
          {
            type: 'email',
            id: 'soc-mail',
            smtp: {
              host: 'smtp.evil.example',
              username: 'admin\u202Egnp.exe',
              password: SMTP_PASSWORD,
              ca: HOSTILE_CA,
            },
            from: 'evident@evil.example',
            to: ['javascript:alert(23)@evil.example'],
          },
        ],
        delivery: { max_attempts: 1 },
      }),
    });
    assert.equal(put.statusCode, 200, put.body);
    const secret = put.json().generated_secrets['soc-hook'] as string;
    const notifier = startNotifier({
      store: t.log.store,
      secrets: t.secrets,
      clock: t.clock,
      autoStart: false,
      send: async () => ({ ok: false, error: '<script>alert(24)</script> refused', durationMs: 1 }),
    });
    await notifier.onRaised(
      raisedAlert({ id: '01JD8X7Q6R3T9V2W4Y5Z6A7B81', title: '<img src=x onerror=alert(2)>' }),
    );
    await notifier.onRaised(
      raisedAlert({ id: '01JD8X7Q6R3T9V2W4Y5Z6A7B82', title: 'admin\u202Egnp.exe read c-9' }),
    );
    await (await notifier.runOnce()).settled;
    await notifier.stop();

    const { context, page } = await open();
    await page.goto(`${base}/admin/notifications`);
    await signIn(page, 'grace');
    await page.getByRole('heading', { name: 'Dead letters' }).waitFor();
    await page.locator('table.dead-letters tbody tr').first().waitFor();
    assert.equal(await page.getByLabel('URL', { exact: true }).inputValue(), HOSTILE_URL);
    assert.equal(await page.getByLabel('Private CA (PEM)').inputValue(), HOSTILE_CA);
    assert.equal(
      await page.getByLabel('Signing secret').getAttribute('placeholder'),
      'set — leave empty to keep it',
    );
    for (const hidden of [secret, SMTP_PASSWORD])
      assert.ok(!(await page.content()).includes(hidden), 'a secret never reaches the page');
    assert.equal(
      await page.getByLabel('SMTP password').getAttribute('placeholder'),
      'set — leave empty to keep it',
    );
    // An input keeps the real value (to edit it); a direction override in it is also shown marked.
    assert.match(await page.locator('.field-reveal').innerText(), /admin⟨U\+202E⟩gnp\.exe/);
    const letters = await page.locator('table.dead-letters tbody').innerText();
    assert.match(letters, /<img src=x onerror=alert\(2\)>/);
    assert.match(letters, /admin⟨U\+202E⟩gnp\.exe/);
    assert.match(letters, /<script>alert\(24\)<\/script> refused/);
    assert.equal(await page.locator('table.dead-letters tbody tr').count(), 4);
    await assertInert(page);
    await axe(page, 'notifications');
    await shot(page, 'notifications');

    // The server's 400 names a field: its reason is shown beside that field, nothing saved.
    await page.getByLabel('URL', { exact: true }).fill('not a url');
    await page.getByRole('button', { name: 'Save notification settings' }).click();
    const beside = page.locator('#error-channels-0-url');
    assert.match(await beside.innerText(), /must be an absolute URL/);
    assert.equal(
      await page.getByLabel('URL', { exact: true }).getAttribute('aria-invalid'),
      'true',
    );
    assert.equal(
      await page.getByLabel('URL', { exact: true }).getAttribute('aria-describedby'),
      'error-channels-0-url',
    );
    await page.getByLabel('Attempts before a dead letter').fill('many');
    await page.getByLabel('URL', { exact: true }).fill('https://hooks.example.com/evident');
    await page.getByRole('button', { name: 'Save notification settings' }).click();
    assert.match(
      await page.locator('#error-delivery-max-attempts').innerText(),
      /must be an integer from 1 to 50/,
    );
    assert.equal(await beside.count(), 0, 'the fixed field is no longer marked');
    await page.getByLabel('Attempts before a dead letter').fill('3');
    // A new webhook gets a generated secret, shown once.
    await page.getByRole('button', { name: 'Add a webhook' }).click();
    await page.getByLabel('Channel id').last().fill('soc-new');
    await page.getByLabel('URL', { exact: true }).last().fill('https://hooks.example.com/new');
    await page.getByRole('button', { name: 'Save notification settings' }).click();
    await page.getByText('Saved.').waitFor();
    assert.match(await page.getByText(/shown this once/).innerText(), /soc-new.*whsec_/s);
    const stored = (
      await t.app.inject({ url: '/api/v1/settings/notifications', headers: t.admin })
    ).json();
    assert.equal(stored.channels[0].url, 'https://hooks.example.com/evident');
    assert.equal(stored.channels[1].smtp.ca, HOSTILE_CA, 'untouched fields are sent back as read');
    assert.equal(stored.channels[2].id, 'soc-new');
    assert.equal(stored.delivery.max_attempts, 3);

    // Replay puts one dead letter back in the queue.
    await page
      .getByRole('button', { name: /^Replay the delivery to soc-hook/ })
      .first()
      .click();
    await page.getByText(/^Queued again/).waitFor();
    await page.waitForFunction(
      () => document.querySelectorAll('table.dead-letters tbody tr').length === 3,
    );
    const dead = (
      await t.app.inject({ url: '/api/v1/notifications/dead-letters', headers: t.admin })
    ).json();
    assert.equal(dead.deliveries.length, 3);

    // The evidence packs page: the CLI lines, nothing from the server.
    await page.getByRole('link', { name: 'Evidence packs' }).click();
    await page.getByRole('heading', { name: 'Evidence packs' }).waitFor();
    const packs = await page.locator('main').innerText();
    assert.match(packs, /evident pack create --data \.\/evident-data --from 2026-01-01/);
    assert.match(packs, /evident pack verify q1\.zip --key/);
    await axe(page, 'evidence packs');
    await shot(page, 'evidence-packs');
    await context.close();

    // Anyone else: no link, the server's 403 as "not allowed", no settings and no letters.
    const other = await open();
    const asked: string[] = [];
    other.page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await other.page.goto(`${base}/admin/notifications`);
    await signIn(other.page, 'ada');
    await other.page.getByText(/not allowed to manage notifications/).waitFor();
    await other.page.waitForLoadState('networkidle');
    const seen = await other.page.locator('body').innerText();
    assert.doesNotMatch(seen, /soc-hook|evil\.example|Dead letters|alert\(/);
    assert.equal(await other.page.getByRole('link', { name: 'Notifications' }).count(), 0);
    assert.ok(!asked.some((p) => p.includes('dead-letters')), 'the list is not even asked for');
    await other.context.close();
    assert.deepEqual(problems, []);
  });

  it('gives admins the admin page: principals, a new ingest key shown once, rule validation', async () => {
    const { context, page } = await open();
    await page.goto(`${base}/admin`);
    await signIn(page, 'grace');
    await page.getByRole('heading', { name: 'Principals' }).waitFor();
    await page.locator('table', { hasText: 'rita' }).waitFor();
    assert.match(await page.locator('table').first().innerText(), /reviewer:billing-\*/);
    await page.getByLabel('Source of a new key').fill('crm-api');
    await page.getByRole('button', { name: 'Create ingest key' }).click();
    const shown = await page.getByText(/shown this once/).innerText();
    assert.match(shown, /evk_/);
    await page
      .getByLabel('Rules (YAML)')
      .fill('rules:\n  - id: night-reads\n    severity: extreme\n');
    await page.getByRole('button', { name: 'Validate' }).click();
    assert.match(await page.locator('ul.problems').innerText(), /line \d+, column \d+: rules\[0\]/);
    await axe(page, 'admin');
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'admin');
    await context.close();
    // Everyone else: no Admin link, and the server's refusal if they go there anyway.
    const other = await open();
    await other.page.goto(`${base}/admin`);
    await signIn(other.page, 'ada');
    assert.equal(await other.page.getByRole('link', { name: 'Admin' }).count(), 0);
    await other.page.getByRole('alert').first().waitFor();
    await other.context.close();
  });

  it('returns to the sign-in form when the session expires, then back to the same page', async () => {
    const { context, page } = await open();
    await page.goto(`${base}/integrity`);
    await signIn(page, 'ada');
    await page.getByRole('heading', { name: 'Key history' }).waitFor();
    await axe(page, 'integrity');
    await shot(page, 'integrity');
    // The same check as `evident proof --since`: a checkpoint kept earlier, the log grown since.
    const kept = (await t.app.inject({ url: '/api/v1/log/checkpoint', headers: t.admin })).body;
    const key = await t.ingestKey('billing-api');
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...key, 'content-type': 'application/json' },
      payload: JSON.stringify(ev()),
    });
    await page.getByLabel('Signed checkpoint').fill(kept);
    await page.getByRole('button', { name: 'Check consistency' }).click();
    await page
      .getByText(/Verified in this browser: the log of size \d+ extends your checkpoint/)
      .waitFor();
    await page
      .getByLabel('Signed checkpoint')
      .fill(
        kept.replace(/\n[A-Za-z0-9+/]{43}=\n/, '\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n'),
      );
    await page.getByRole('button', { name: 'Check consistency' }).click();
    await page.locator('p.verify-failed').waitFor();
    for (const [path, heading] of [
      ['/overview', 'Overview'],
      ['/sources', 'Sources'],
    ] as const) {
      await page.getByRole('link', { name: heading, exact: true }).first().click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.equal(new URL(page.url()).pathname, path);
      await axe(page, heading);
      await shot(page, heading.toLowerCase());
    }
    t.clock.advance(31 * 60_000);
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByText('Your session has ended; sign in again.').waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    await signIn(page, 'ada');
    await page.locator('table.events tbody tr').first().waitFor();
    await context.close();
    assert.deepEqual(problems, []);
  });
});
