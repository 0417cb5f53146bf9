import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readPackZip } from '../../src/evidence/pack-zip.js';
import { verifyPack } from '../../src/evidence/verify-pack.js';
import { fillReportLog, REPORT_DAY } from '../evidence/report-log.js';
import { PDFTOTEXT_MISSING, pdfFonts, pdfText } from '../support/pdf-text.js';
import { type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

const PERIOD = `from=${REPORT_DAY}&to=${REPORT_DAY}`;

/** GET /api/v1/reports/:kind and POST /api/v1/packs, in-process on a real (SQLite) log. */
describe('reports and packs over HTTP', () => {
  let t: TestServer;
  let auditor: TestPrincipal;
  let billingReviewer: TestPrincipal;
  let verifierKey: string;

  before(async () => {
    t = await testServer();
    await fillReportLog(t.log, t.clock);
    auditor = await t.principal({ roles: ['auditor'], name: 'audrey' });
    billingReviewer = await t.principal({ roles: ['reviewer'], sources: ['billing-*'] });
    verifierKey = (await t.app.inject({ url: '/api/v1/log/keys' })).json().current;
  });
  after(async () => t.close());

  const get = (who: TestPrincipal, url: string) => t.app.inject({ url, headers: who.headers });

  it('answers JSON stating the checkpoint, and records report.read with its tree size', async () => {
    const res = await get(auditor, `/api/v1/reports/alert-handling?${PERIOD}`);
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.report, 'alert-handling');
    assert.equal(String(body.as_of.tree_size), res.headers['evident-tree-size']);
    assert.match(body.as_of.checkpoint, /^evident\.test\/log\n\d+\n/);
    assert.deepEqual(Object.keys(body.by_rule).sort(), ['bulk-export', 'failed-sign-ins']);
    const head = (await t.log.store.head())!;
    const audited = JSON.parse((await t.log.store.entryBySeq(head.size - 1))!.record);
    assert.equal(audited.action, 'report.read');
    assert.equal(audited.actor.id, auditor.id);
    assert.equal(audited.target.id, 'alert-handling');
    assert.equal(audited.details.tree_size, body.as_of.tree_size);
    assert.equal(audited.details.format, 'json');
  });

  it('answers every kind as JSON, matching its schema', async () => {
    for (const kind of ['access', 'access-changes', 'alert-handling', 'coverage', 'reviews']) {
      const res = await get(auditor, `/api/v1/reports/${kind}?${PERIOD}`);
      assert.equal(res.statusCode, 200, `${kind}: ${res.body}`);
      assert.deepEqual(res.json().scope, ['*']);
    }
    const coverage = await get(auditor, `/api/v1/reports/coverage?${PERIOD}`);
    assert.ok(coverage.json().sources.some((s: { source: string }) => s.source === 'hr-app'));
  });

  it('answers CSV with its basis row', async () => {
    const res = await get(auditor, `/api/v1/reports/access-changes?${PERIOD}&format=csv`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /^text\/csv/);
    const lines = res.body.trimEnd().split('\r\n');
    assert.match(lines[0]!, /^seq,time,received_at,actor_id/);
    assert.match(lines[1]!, /principal\.role_grant/);
    assert.match(lines.at(-1)!, /^#as_of,tree_size=\d+,root_hash=/);
  });

  it('refuses a filter a report does not take, and a malformed period', async () => {
    const wrong = await get(auditor, `/api/v1/reports/coverage?${PERIOD}&person=grace`);
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.reason, 'invalid_query');
    const backwards = await get(auditor, '/api/v1/reports/access?from=2026-11-23&to=2026-11-21');
    assert.equal(backwards.statusCode, 400);
    const kind = await get(auditor, `/api/v1/reports/everything?${PERIOD}`);
    assert.equal(kind.statusCode, 400);
  });

  it("gives a billing-* reviewer only billing's data", async () => {
    const res = await get(billingReviewer, `/api/v1/reports/access?${PERIOD}`);
    assert.equal(res.statusCode, 200, res.body);
    const rows = res.json().rows as { source: string; target_id: string | null }[];
    assert.equal(
      rows.some((r) => r.source === 'hr-app' || r.target_id === 'al-hr'),
      false,
    );
    assert.deepEqual(res.json().scope, ['billing-*']);
    const alerts = await get(billingReviewer, `/api/v1/reports/alert-handling?${PERIOD}`);
    assert.deepEqual(Object.keys(alerts.json().by_rule), ['bulk-export']);
  });

  it('prints a PDF with embedded fonts, the checkpoint, and hostile text shown as text', {
    skip: PDFTOTEXT_MISSING,
  }, async () => {
    const res = await get(auditor, `/api/v1/reports/access?${PERIOD}&format=pdf`);
    assert.equal(res.statusCode, 200, res.body.slice(0, 200));
    assert.equal(res.headers['content-type'], 'application/pdf');
    const pdf = new Uint8Array(res.rawPayload);
    assert.equal(Buffer.from(pdf.subarray(0, 5)).toString(), '%PDF-');
    const text = pdfText(pdf);
    assert.match(text, /Who accessed what, and when/);
    assert.match(text, new RegExp(`tree size ${res.headers['evident-tree-size']}`));
    assert.match(text, /Activity over time/);
    assert.match(text, /Ada \(u-123\)/);
    // The override is printed as its code point; nothing after it is reordered.
    // (A narrow cell wraps it: read the cell's lines, in drawing order, as one.)
    assert.match(pdfText(pdf, 'raw').replaceAll('\n', ''), /Mallory<U\+202E>gnp\.exe/);
    assert.equal(text.includes('\u202E'), false);
    // The long name is cut in its cell, not run across the page.
    assert.equal(text.includes('W'.repeat(240)), false);
    const fonts = pdfFonts(pdf);
    assert.ok(fonts.length > 0);
    assert.ok(
      fonts.every((f) => f.embedded && f.name.includes('DejaVu')),
      JSON.stringify(fonts),
    );
  });

  it('prints every kind', { skip: PDFTOTEXT_MISSING }, async () => {
    const titles = {
      'access-changes': /Access changes[\s\S]*principal\.role_grant/,
      'alert-handling': /Alert handling[\s\S]*MTTA[\s\S]*mean 4 min[\s\S]*failed-sign-ins/,
      coverage: /server clock[\s\S]*said the clock was NOT synchronised[\s\S]*billing-api/,
      reviews: /Log and access reviews[\s\S]*Missed\s+1[\s\S]*weekly-privileged-access/,
    };
    for (const [kind, pattern] of Object.entries(titles)) {
      const res = await get(auditor, `/api/v1/reports/${kind}?${PERIOD}&format=pdf`);
      assert.equal(res.statusCode, 200, res.body.slice(0, 200));
      assert.match(pdfText(new Uint8Array(res.rawPayload)), pattern, kind);
    }
  });

  it('streams a notarised evidence pack that verifies, with the reports as PDF', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/packs',
      headers: { ...auditor.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ from: REPORT_DAY, to: REPORT_DAY }),
    });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
    assert.equal(res.headers['content-type'], 'application/zip');
    const files = readPackZip(new Uint8Array(res.rawPayload));
    const verdict = verifyPack(files, verifierKey);
    assert.equal(verdict.firstFailure, undefined);
    assert.ok(files.has('report-access.pdf') && files.has('report-coverage.pdf'));
    const notarisation = JSON.parse(new TextDecoder().decode(files.get('notarisation.json')));
    assert.equal(notarisation.record.action, 'evidence_pack.create');
    assert.equal(notarisation.record.actor.id, auditor.id);
    assert.equal(
      notarisation.record.details.manifest_sha256,
      res.headers['evident-manifest-sha256'],
    );
    const manifest = JSON.parse(new TextDecoder().decode(files.get('manifest.json')));
    const a818 = manifest.controls.find((c: { id: string }) => c.id === 'A.8.17');
    assert.ok(a818.files.includes('report-coverage.pdf'));
  });

  it("refuses a since checkpoint that is not this log's", async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/packs',
      headers: { ...auditor.headers, 'content-type': 'application/json' },
      payload: JSON.stringify({ from: REPORT_DAY, to: REPORT_DAY, since: 'not a checkpoint\n' }),
    });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.path, 'since');
  });
});
