import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SelfAudit } from '../../src/log/self-audit.js';
import { PurgeRunner } from '../../src/retention/purge-runner.js';
import { CHROMIUM_ENABLED } from '../support/chromium.js';
import { person } from '../support/sign-in.js';
import { call, event, type TestPrincipal } from '../support/test-server.js';
import {
  assertAccessible,
  assertInert,
  browserHarness,
  HOSTILE_LONG,
  HOSTILE_MARKUP,
  HOSTILE_RTL,
  signedInPage,
} from './browser-page.js';

const DAY_MS = 86_400_000;

/**
 * The Retention page in Debian's Chromium against a real server: policies (one applied at
 * once, one shortening sent to a second admin), legal holds placed and asked to be released
 * from the page, the purge history from a real purge with a link to its event in search, an
 * auditor who reads it all without any action, a reviewer who may not read it, and a hold
 * whose matter and reason are hostile text.
 */
describe('dashboard: retention', { skip: !CHROMIUM_ENABLED }, () => {
  let h: Awaited<ReturnType<typeof browserHarness>>;
  let first: TestPrincipal;
  let purgeSeq: number;
  let purgedRange: string;
  const problems: string[] = [];

  before(async () => {
    h = await browserHarness();
    const { t } = h;
    first = await t.principal({ roles: ['admin'], name: 'first-admin' });
    const second = await t.principal({ roles: ['admin'], name: 'second-admin' });
    // A one-day maximum for billing-api shortens "forever": a second admin approves it.
    const asked = await call(t, 'PUT', '/api/v1/retention', first.headers, {
      source: 'billing-api',
      max: 'P1D',
      reason: 'test policy',
    });
    assert.equal(asked.statusCode, 202, asked.body);
    const approved = await call(
      t,
      'POST',
      `/api/v1/approvals/${asked.json().approval.id}/approve`,
      second.headers,
    );
    assert.equal(approved.statusCode, 200, approved.body);
    const key = await t.ingestKey('billing-api');
    const ingested = await call(t, 'POST', '/api/v1/events', key, [event(), event(), event()]);
    assert.equal(ingested.statusCode, 201, ingested.body);
    const seqs = ingested.json().entries.map((e: { seq: number }) => e.seq);
    purgedRange = `${seqs[0]}-${seqs[2]}`;
    t.clock.advance(2 * DAY_MS);
    const runner = new PurgeRunner({
      store: t.log.store,
      audit: new SelfAudit(t.log.sequencer, t.log.origin, t.clock),
      clock: t.clock,
    });
    const run = await runner.runOnce();
    assert.equal(run.purged, 3);
    purgeSeq = run.policies[0]!.purgeSeqs[0]!;
    await person(t, { name: 'grace', grants: [{ role: 'admin' }] });
    await person(t, { name: 'ada', grants: [{ role: 'auditor' }] });
    await person(t, { name: 'rita', grants: [{ role: 'reviewer' }] });
  });
  after(async () => {
    await h?.close();
  });

  it('shows an auditor the policies, holds and purge history, and no action', async () => {
    const { page, close } = await signedInPage(h, 'ada', problems);
    await page.getByRole('link', { name: 'Retention', exact: true }).click();
    await page.getByRole('heading', { name: 'Retention', level: 1 }).waitFor();
    await page.locator('table.purges tbody tr').first().waitFor();
    const policy = await page.locator('table.policies tbody tr').first().innerText();
    assert.match(policy, /billing-api/);
    assert.match(policy, /P1D/);
    assert.match(policy, /second-admin|first-admin/);
    const purge = await page.locator('table.purges tbody tr').first().innerText();
    assert.match(purge, /billing-api: min none, max P1D/);
    assert.ok(purge.includes(purgedRange), purge);
    assert.match(purge, /\t3\t/);
    assert.match(purge, new RegExp(`#${purgeSeq} in search`));
    await page.getByText('No legal hold has been placed.').waitFor();
    // An auditor reads; retention.manage and approvals.decide are an admin's.
    assert.equal(await page.getByRole('button', { name: 'Set policy' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Place hold' }).count(), 0);
    assert.equal(await page.getByRole('heading', { name: 'Four-eyes requests' }).count(), 0);
    await assertAccessible(page, 'retention (auditor)');
    // The purge event opens in search, where it is proven like any other event.
    await page.getByRole('link', { name: `#${purgeSeq} in search` }).click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('Leaf hash').waitFor();
    assert.match(await drawer.innerText(), /retention\.purge/);
    await drawer.getByRole('button', { name: 'Verify in this browser' }).click();
    await drawer.locator('[data-verified="true"]').waitFor();
    await close();
    assert.deepEqual(problems, []);
  });

  it('lets an admin set a policy, see a shortening go to approval, place and release a hold', async () => {
    const { page, close } = await signedInPage(h, 'grace', problems);
    await page.goto(`${h.base}/retention`);
    const setForm = page.getByRole('form', { name: 'Set a retention policy' });
    await setForm.getByLabel('Source (* for the default)').fill('hr-api');
    await setForm.getByLabel('Minimum (P90D, P12M; empty: none)').fill('P12M');
    await setForm.getByRole('button', { name: 'Set policy' }).click();
    await setForm.getByText('Applied: the policy of hr-api is in force now.').waitFor();
    await page.locator('table.policies tbody tr', { hasText: 'hr-api' }).waitFor();
    assert.match(
      await page.locator('table.policies tbody tr', { hasText: 'hr-api' }).innerText(),
      /P12M\tforever\tno\t/,
    );

    // A first maximum shortens "forever": the answer is 202, and the request waits.
    await setForm.getByLabel('Maximum (empty: forever)').fill('P24M');
    await setForm.getByRole('button', { name: 'Set policy' }).click();
    await setForm.getByText(/went to a second admin for approval/).waitFor();
    const request = page.locator('table.requests tbody tr', { hasText: 'retention policy hr-api' });
    await request.waitFor();
    assert.match(await request.innerText(), /shorten a policy.*max P24M.*pending/s);
    assert.match(
      await page.locator('table.policies tbody tr', { hasText: 'hr-api' }).innerText(),
      /forever/,
      'nothing changes before approval',
    );

    // The API's own message when a field is wrong, beside the field.
    await setForm.getByLabel('Maximum (empty: forever)').fill('two years');
    await setForm.getByRole('button', { name: 'Set policy' }).click();
    await setForm.locator('.field-error').waitFor();
    assert.match(await setForm.locator('.field-error').innerText(), /max/);

    // A hold with no criterion: the server's message, as it words it.
    const holdForm = page.getByRole('form', { name: 'Place a legal hold' });
    await holdForm.getByLabel('Matter').fill('case 7');
    await holdForm.getByLabel('Reason', { exact: true }).fill('litigation');
    await holdForm.getByRole('button', { name: 'Place hold' }).click();
    await holdForm.getByRole('alert').waitFor();
    assert.match(await holdForm.getByRole('alert').innerText(), /at least one of source/);

    // A hold whose matter and reason are hostile: placed, then shown as text.
    const reason = `${HOSTILE_RTL} ${HOSTILE_LONG}`;
    await holdForm.getByLabel('Matter').fill(HOSTILE_MARKUP);
    await holdForm.getByLabel('Reason', { exact: true }).fill(reason);
    await holdForm.getByLabel('Actor id').fill('u-123');
    await holdForm.getByRole('button', { name: 'Place hold' }).click();
    await holdForm.getByRole('status').waitFor();
    const row = page.locator('table.holds tbody tr').first();
    await row.waitFor();
    const shown = await row.innerText();
    assert.ok(shown.includes(HOSTILE_MARKUP), shown.slice(0, 200));
    assert.ok(shown.includes('case ⟨U+202E⟩gnp.exe'), 'the override is shown as a mark');
    assert.ok(shown.includes(HOSTILE_LONG), 'the long reason is there in full');
    assert.match(shown, /actor u-123/);
    assert.match(shown, /\tlive$/);
    await assertInert(page);

    // Releasing waits for a second admin; the hold stays live meanwhile.
    const releaseForm = page.getByRole('form', { name: 'Ask to release a legal hold' });
    await releaseForm.getByLabel('Hold').selectOption({ index: 1 });
    await releaseForm.getByLabel('Reason for the release').fill('case closed');
    await releaseForm.getByRole('button', { name: 'Ask to release' }).click();
    await releaseForm.getByRole('status').waitFor();
    await page
      .locator('table.holds tbody tr', { hasText: 'waiting for approval' })
      .first()
      .waitFor();
    assert.match(
      await page.locator('table.requests').innerText(),
      /release a hold\t.*<img src=x onerror=alert\(1\)>/,
    );
    // An admin reads no events: the purge history says what it needs instead.
    await page.getByText(/The purge history is read from the log’s own events/).waitFor();
    await assertInert(page);
    await assertAccessible(page, 'retention (admin)');
    await close();
    assert.deepEqual(problems, []);
  });

  it('tells a reviewer that policies and holds are not theirs, and offers nothing', async () => {
    const { page, close } = await signedInPage(h, 'rita', problems);
    await page.goto(`${h.base}/retention`);
    await page.getByText('Reading retention needs the admin or auditor role.').waitFor();
    assert.equal(await page.locator('main form').count(), 0);
    assert.equal(await page.locator('table.policies, table.holds, table.requests').count(), 0);
    // A reviewer reads events, the log's own included: the purge history is theirs to see.
    await page.locator('table.purges tbody tr').first().waitFor();
    await close();
    assert.deepEqual(problems, []);
  });
});
