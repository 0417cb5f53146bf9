import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { CHROMIUM_ENABLED, launchChromium } from '../support/chromium.js';
import { repoRoot, tempDir } from '../support/processes.js';
import { cutPack } from './pack-fixture.js';
import { makePackLog } from './pack-log.js';

/**
 * The pack's verify.html, built from the current sources, opened from an unzipped pack
 * (file://) in Debian's Chromium with the network off: it verifies a golden pack per control
 * and names a flipped byte and a wrong key, without a single request beyond its own file.
 */
describe('verify.html in a real browser', { skip: !CHROMIUM_ENABLED }, () => {
  let dir: string;
  let key: string;
  let otherKey: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  const requests: string[] = [];
  const problems: string[] = [];

  const folder = (name: string, files: Map<string, Uint8Array>) => {
    const path = join(dir, name);
    mkdirSync(path);
    for (const [file, bytes] of files) writeFileSync(join(path, file), bytes);
    return path;
  };

  async function verifyIn(path: string, files: string[], verifierKey: string): Promise<Page> {
    const context = await chromium.browser.newContext({ offline: true });
    const page = await context.newPage();
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(`file://${path}/verify.html`);
    await page.setInputFiles(
      '#files',
      files.map((f) => join(path, f)),
    );
    await page.fill('#key', verifierKey);
    await page.click('#verify');
    await page.waitForSelector('#summary[data-ok]', { timeout: 20_000 });
    return page;
  }

  before(async () => {
    dir = tempDir('evident-pack-page-');
    execFileSync(
      'npx',
      [
        'vite',
        'build',
        '--config',
        'web/pack-verify/vite.config.ts',
        '--outDir',
        join(dir, 'built'),
        '--emptyOutDir',
      ],
      { cwd: repoRoot, stdio: 'ignore' },
    );
    const verifyPage = new Uint8Array(readFileSync(join(dir, 'built', 'verify.html')));
    ({ verifierKey: key } = await makePackLog(join(dir, 'a'), 'evident.test/pack-a'));
    ({ verifierKey: otherKey } = await makePackLog(join(dir, 'b'), 'evident.test/pack-b'));
    const pack = await cutPack(join(dir, 'a'), { verifyPage });
    folder('golden', pack);
    const flipped = new Uint8Array(pack.get('report-access.csv')!);
    flipped[20]! ^= 0x01;
    folder('flipped', new Map(pack).set('report-access.csv', flipped));
    chromium = await launchChromium();
  });
  after(async () => {
    await chromium?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = () => readdirSync(join(dir, 'golden'));

  it('verifies the golden pack, per control, with no network', async () => {
    const page = await verifyIn(join(dir, 'golden'), names(), key);
    assert.equal(
      await page.getAttribute('#summary', 'data-ok'),
      'true',
      (await page.textContent('#summary')) ?? '',
    );
    const controls = await page.$$eval('#controls tr[data-control]', (rows) =>
      rows.map((r) => [r.getAttribute('data-control'), r.getAttribute('data-ok')]),
    );
    assert.deepEqual(
      controls,
      ['A.5.15', 'A.5.16', 'A.5.18', 'A.8.2', 'A.8.5', 'A.8.15', 'A.8.16', 'A.8.17'].map((id) => [
        id,
        'true',
      ]),
    );
    assert.ok((await page.$$('#checks tr[data-ok="true"]')).length >= 15);
    await page.context().close();
  });

  it('verifies the folder picked whole (webkitdirectory)', async () => {
    const context = await chromium.browser.newContext({ offline: true });
    const page = await context.newPage();
    await page.goto(`file://${join(dir, 'golden')}/verify.html`);
    await page.setInputFiles('#folder', join(dir, 'golden'));
    await page.fill('#key', key);
    await page.click('#verify');
    await page.waitForSelector('#summary[data-ok]');
    assert.equal(
      await page.getAttribute('#summary', 'data-ok'),
      'true',
      (await page.textContent('#summary')) ?? '',
    );
    await context.close();
  });

  it('names a flipped byte, and fails only the controls it evidences', async () => {
    const page = await verifyIn(join(dir, 'flipped'), names(), key);
    assert.equal(await page.getAttribute('#summary', 'data-ok'), 'false');
    assert.match(
      (await page.textContent('#summary'))!,
      /First failure: report-access\.csv: does not match its SHA-256/,
    );
    assert.equal(await page.getAttribute('tr[data-control="A.5.15"]', 'data-ok'), 'false');
    assert.equal(await page.getAttribute('tr[data-control="A.8.17"]', 'data-ok'), 'true');
    await page.context().close();
  });

  it('refuses a key that is not the log’s', async () => {
    const page = await verifyIn(join(dir, 'golden'), names(), otherKey);
    assert.equal(await page.getAttribute('#summary', 'data-ok'), 'false');
    assert.match(
      (await page.textContent('#summary'))!,
      /First failure: keys\.json: does not chain from the key you gave/,
    );
    await page.context().close();
  });

  it('made no request beyond its own file and logged no error', () => {
    assert.deepEqual(requests, []);
    assert.deepEqual(problems, []);
  });
});
