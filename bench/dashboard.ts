/**
 * "The search page is interactive within 1 s at 1M events": fills a log through the real
 * append path (bench/fill.ts), serves it with the built dashboard (dist/web) in this
 * process, signs in once in Debian's Chromium, then loads the search page (and a timeline)
 * cold — a new page each time — and times, from navigation start:
 *   rows:   the first results row drawn (the query bar works from the first paint),
 *   facets: the facet counts over the whole result shown (GET /api/v1/events/facets).
 * Every load also appends its self-audit events, as in production.
 *
 * Each page is loaded once untimed first (the page cache after a fill is cold), then
 * `loads` times timed. EVIDENT_BENCH_DIR keeps the filled folder for another run (it is
 * filled only when empty).
 *
 *   node --import tsx bench/dashboard.ts [entries=1000000] [loads per page=7]
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccountDirectory } from '../src/access/accounts/accounts.js';
import { hashPassword } from '../src/access/accounts/passwords.js';
import { createSignIn } from '../src/access/sign-in/sign-in.js';
import { formatVerifierKey } from '../src/core/note.js';
import { dataPaths } from '../src/data-folder.js';
import { FACET_SCAN_LIMIT } from '../src/events/event-search.js';
import { openLog } from '../src/log/open-log.js';
import { SelfAudit } from '../src/log/self-audit.js';
import { buildApp } from '../src/server/app.js';
import { systemClock } from '../src/util/clock.js';
import { loadOrCreateSecretBox } from '../src/util/secret-box.js';
import { accountRecord } from '../test/support/accounts.js';
import { launchChromium } from '../test/support/chromium.js';
import { repoRoot } from '../test/support/processes.js';
import { TEST_SCRYPT } from '../test/support/sign-in.js';
import { BENCH_ORIGIN, fill } from './fill.js';
import { log, median } from './stats.js';

const total = Number(process.argv[2] ?? 1_000_000);
const loads = Number(process.argv[3] ?? 7);
const PASSWORD = 'a long enough bench passphrase';

const max = (xs: number[]) => Math.max(...xs);

const kept = process.env.EVIDENT_BENCH_DIR;
const dir = kept ?? mkdtempSync(join(tmpdir(), 'evident-bench-dashboard-'));
try {
  if (kept === undefined || !existsSync(join(dir, 'evident.db'))) {
    log(`filling ${total} entries into ${dir}`);
    const filled = await fill(dir, total);
    log(`filled in ${filled.seconds.toFixed(1)} s`);
  }

  const log_ = await openLog({ dataDir: dir, origin: BENCH_ORIGIN, clock: systemClock });
  const signIn = createSignIn(log_.store, { passwordParams: TEST_SCRYPT });
  // The facet query alone, at the store (SQLite runs it on the reader, blocking the event
  // loop for its duration): the part of the page that grows with the log.
  const storeRows: string[] = [];
  for (const [name, filter] of [
    ['no filter', {}],
    ['action prefix customer.', { actionPrefix: 'customer.' }],
    ['outcome denied', { outcome: 'denied' }],
  ] as const) {
    const ms: number[] = [];
    let scanned = 0;
    for (let i = -1; i < loads; i++) {
      const start = performance.now();
      const counts = await log_.store.searchFacets(
        { ...filter, limit: FACET_SCAN_LIMIT },
        { top: 10, bucketMs: 3_600_000 },
      );
      if (i >= 0) ms.push(performance.now() - start);
      scanned = counts.scanned;
    }
    storeRows.push(`| ${name} | ${median(ms).toFixed(0)} | ${max(ms).toFixed(0)} | ${scanned} |`);
    log(storeRows.at(-1)!);
  }
  const accounts = new AccountDirectory(log_.store);
  if (!(await accounts.get('bench-reader')))
    await accounts.create(
      accountRecord('bench-reader', [{ role: 'auditor' }], {
        name: 'reader',
        passwordHash: await hashPassword(PASSWORD, TEST_SCRYPT),
      }),
    );
  const app = buildApp({
    store: log_.store,
    sequencer: log_.sequencer,
    origin: log_.origin,
    verifierKey: formatVerifierKey(log_.signer.name, log_.signer.publicKey),
    adminToken: undefined,
    clock: systemClock,
    audit: new SelfAudit(log_.sequencer, log_.origin, systemClock),
    secrets: loadOrCreateSecretBox(dataPaths(dir).secretsKey),
    sessions: signIn.sessions,
    signIn,
    webRoot: join(repoRoot, 'dist', 'web'),
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const chromium = await launchChromium();
  try {
    // bypassCSP: the in-page timing predicates below are evaluated as strings, which the
    // dashboard's CSP (no eval) would refuse; the dashboard's own code is the same either way.
    const context = await chromium.browser.newContext({
      viewport: { width: 1280, height: 800 },
      bypassCSP: true,
    });
    const first = await context.newPage();
    await first.goto(`${base}/`);
    await first.getByLabel('Name').fill('reader');
    await first.getByLabel('Password').fill(PASSWORD);
    await first.getByRole('button', { name: 'Sign in' }).click();
    await first.locator('table.events tbody tr').first().waitFor({ timeout: 60_000 });
    // A real actor and target of the filled log, for the term searches and a timeline.
    const sample = (await first.evaluate(
      "fetch('/api/v1/events?limit=1').then((r) => r.json())",
    )) as { entries: { record: { actor: { id: string }; target?: { id: string } } }[] };
    const { actor, target } = sample.entries[0]!.record;
    await first.close();

    const pages: [string, string][] = [
      ['search, no filter', '/'],
      ['search, last 24 hours', '/?range=24h'],
      ['search, action prefix', `/?q=${encodeURIComponent('action:customer.*')}`],
      ['search, outcome:denied', `/?q=${encodeURIComponent('outcome:denied')}`],
      ['search, one actor', `/?q=${encodeURIComponent(`actor:${actor.id}`)}`],
      ['timeline of a target', `/timeline?target=${encodeURIComponent(target?.id ?? 'none')}`],
    ];
    const rows: string[] = [];
    for (const [name, path] of pages) {
      const toRows: number[] = [];
      const toFacets: number[] = [];
      const rowRequests: [number, number][] = [];
      const facetRequests: [number, number][] = [];
      let scanned = '';
      for (let i = -1; i < loads; i++) {
        const page = await context.newPage();
        await page.goto(`${base}${path}`);
        // Timed inside the page (performance.now() counts from its navigation start), on
        // the frame the element appears: this process also runs the server, so a timestamp
        // taken here would include the server's blocking work (the SQLite facet count).
        const shown = async (selector: string) =>
          (await (
            await page
              .waitForFunction(
                `document.querySelector(${JSON.stringify(selector)}) !== null && performance.now()`,
                undefined,
                { polling: 'raf', timeout: 60_000 },
              )
              .catch(async (e: unknown) => {
                throw new Error(
                  `${name}: ${(await page.locator('main').innerText()).slice(0, 500)}`,
                  { cause: e },
                );
              })
          ).jsonValue()) as number;
        const rowsAt = await shown('table.events tbody tr');
        const facetsAt = await shown(
          path.startsWith('/timeline') ? 'section.timeline[data-loaded]' : '.facets[data-scanned]',
        );
        if (i >= 0) {
          toRows.push(rowsAt);
          toFacets.push(facetsAt);
        }
        // Where the time went: the two API requests as the browser saw them (start → end).
        const timings = (await page.evaluate(
          "performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/v1/events')).map((e) => [e.name.includes('/facets') ? 'facets' : 'rows', e.startTime, e.responseEnd])",
        )) as [string, number, number][];
        if (i >= 0) {
          for (const [kind, from, to] of timings) {
            (kind === 'facets' ? facetRequests : rowRequests).push([from, to]);
          }
        }
        scanned = path.startsWith('/timeline')
          ? ''
          : ((await page.locator('.facets').getAttribute('data-scanned')) ?? '');
        await page.close();
      }
      const span = (xs: [number, number][]) =>
        xs.length === 0
          ? ''
          : `${median(xs.map((x) => x[0])).toFixed(0)}→${median(xs.map((x) => x[1])).toFixed(0)}`;
      const line = `| ${name} | ${median(toRows).toFixed(0)} | ${max(toRows).toFixed(0)} | ${median(toFacets).toFixed(0)} | ${max(toFacets).toFixed(0)} | ${scanned} | ${span(rowRequests)} | ${span(facetRequests)} |`;
      log(line);
      rows.push(line);
    }
    console.log(`\n${total} entries, ${loads} cold loads per page after one untimed load of each`);
    console.log(
      '| page | rows p50 ms | rows max ms | facets p50 ms | facets max ms | matches counted | events request ms | facets request ms |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const line of rows) console.log(line);
    console.log('\nThe facet query alone (store level, top 10 per facet, hourly buckets)');
    console.log('| filter | p50 ms | max ms | matches counted |');
    console.log('|---|---|---|---|');
    for (const line of storeRows) console.log(line);
  } finally {
    await chromium.close();
    await app.close();
    await log_.close();
  }
} finally {
  if (kept === undefined) rmSync(dir, { recursive: true, force: true });
}
