import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchChromium } from '../support/chromium.js';
import { listenOnLoopback } from '../support/oidc-provider.js';
import { repoRoot } from '../support/processes.js';
import { PASSWORD, TEST_SCRYPT } from '../support/sign-in.js';
import { type TestServer, testServer } from '../support/test-server.js';

export const WEB_ROOT = join(repoRoot, 'dist', 'web');

/**
 * Attacker-written text the pages must show as text: markup, a direction override, and a run
 * long enough to break a layout (900: a hold's reason takes at most 1000 characters).
 */
export const HOSTILE_MARKUP = '<img src=x onerror=alert(1)>';
export const HOSTILE_RTL = 'case \u202Egnp.exe';
export const HOSTILE_LONG = `long-${'W'.repeat(900)}`;

/**
 * A real server (SQLite, password sign-in) listening on loopback for a real browser, and
 * Debian's Chromium. The dashboard build in dist/web is made when absent (npm run build:web
 * refreshes it after a change to web/).
 */
export async function browserHarness(): Promise<{
  t: TestServer;
  base: string;
  chromium: Awaited<ReturnType<typeof launchChromium>>;
  close(): Promise<void>;
}> {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    execFileSync('npx', ['vite', 'build', '--config', 'web/vite.config.ts'], { cwd: repoRoot });
  }
  const t = await testServer({ webRoot: WEB_ROOT, signIn: { passwordParams: TEST_SCRYPT } });
  const server: Server = createServer((req, res) => t.app.routing(req, res));
  const base = await listenOnLoopback(server);
  const chromium = await launchChromium();
  return {
    t,
    base,
    chromium,
    close: async () => {
      await chromium.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await t.close();
    },
  };
}

/**
 * A fresh browser context signed in as `name` (password PASSWORD). Dialogs, page errors,
 * console errors other than refused API calls, and requests to another origin are collected
 * in `problems`: a page that runs anything from data fails the test.
 */
export async function signedInPage(
  h: { base: string; chromium: Awaited<ReturnType<typeof launchChromium>> },
  name: string,
  problems: string[],
): Promise<{ page: Page; close(): Promise<void> }> {
  const context = await h.chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (
      m.type() === 'error' &&
      !/Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())
    )
      problems.push(`console error: ${m.text()}`);
  });
  page.on('request', (r) => {
    if (!r.url().startsWith(`${h.base}/`)) problems.push(`request to another origin: ${r.url()}`);
  });
  await page.goto(`${h.base}/`);
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return { page, close: () => context.close() };
}

/** No element, attribute or script came from data: everything was rendered as text. */
export async function assertInert(page: Page): Promise<void> {
  const active = await page.evaluate(
    `document.querySelectorAll('img, svg:not(.chart), iframe, object, embed, style, [onerror], [onload], [style], a[href^="javascript:"]').length + document.scripts.length - 1`,
  );
  assert.equal(active, 0, 'no element came from data');
}

/** axe-core's WCAG 2 A/AA rules on the page as it is now. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  const source = readFileSync(join(repoRoot, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
  // Evaluated through DevTools, not a <script>: the page's CSP rightly refuses inline code.
  await page.evaluate(source);
  const violations = (await page.evaluate(
    `axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) => r.violations.map((v) => v.id + ': ' + v.help + ' (' + v.nodes.length + ')'))`,
  )) as string[];
  assert.deepEqual(violations, [], `axe-core on ${where}`);
}
