import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { event, type TestServer, testServer } from '../support/test-server.js';

/** GET /api/v1/events/facets: counts over the whole result, scoped and audited like search. */
describe('HTTP API: facet counts', () => {
  let t: TestServer;
  const get = (url: string, headers: Record<string, string> = t.admin) =>
    t.app.inject({ method: 'GET', url, headers });
  const append = async (source: string, events: unknown[]) => {
    const key = await t.ingestKey(source);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...key, 'content-type': 'application/json' },
      payload: JSON.stringify(events),
    });
    assert.equal(res.statusCode, 201, res.body);
  };

  before(async () => {
    t = await testServer();
    await append('billing-api', [
      event({ actor: { id: 'u-1' }, action: 'invoice.read', time: '2026-10-01T10:05:00Z' }),
      event({ actor: { id: 'u-1' }, action: 'invoice.read', time: '2026-10-01T10:35:00Z' }),
      event({ actor: { id: 'u-2' }, action: 'invoice.update', time: '2026-10-01T12:00:00Z' }),
    ]);
    await append('hr-api', [
      event({ actor: { id: 'u-hr' }, action: 'employee.read', time: '2026-10-01T11:00:00Z' }),
    ]);
  });
  after(async () => t.close());

  it('counts across the whole result, not a page, with activity buckets', async () => {
    const res = await get('/api/v1/events/facets?action=invoice.*&bucket=hour&top=5');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.scanned, 3);
    assert.equal(body.complete, true);
    assert.deepEqual(body.facets.actor, [
      { value: 'u-1', count: 2 },
      { value: 'u-2', count: 1 },
    ]);
    assert.deepEqual(body.buckets, [
      { start: '2026-10-01T10:00:00.000Z', count: 2 },
      { start: '2026-10-01T12:00:00.000Z', count: 1 },
    ]);
  });

  it('never shows a reviewer of billing-* anything of hr-api, in any facet or count', async () => {
    const reviewer = await t.principal({ roles: ['reviewer'], sources: ['billing-*'] });
    const body = (await get('/api/v1/events/facets?source=billing-api', reviewer.headers)).json();
    assert.equal(body.scanned, 3);
    const all = (await get('/api/v1/events/facets', reviewer.headers)).json();
    const text = JSON.stringify(all);
    for (const hidden of ['hr-api', 'u-hr', 'employee.read']) assert.ok(!text.includes(hidden));
    const asked = (await get('/api/v1/events/facets?source=hr-api', reviewer.headers)).json();
    assert.equal(asked.scanned, 0);
    assert.match(asked.never_matches, /no events from source "hr-api"/);
    // The admin's view of the same log does include it: the scope made the difference.
    const admin = await t.principal({ roles: ['auditor'] });
    assert.ok(
      JSON.stringify((await get('/api/v1/events/facets', admin.headers)).json()).includes('hr-api'),
    );
  });

  it('is audited as a search with its filters', async () => {
    await get('/api/v1/events/facets?actor=u-2&bucket=day');
    const audit = (
      await get('/api/v1/events?source=evident&action=audit_log.search&limit=1')
    ).json();
    const details = audit.entries[0].record.details;
    assert.equal(details.facets, true);
    assert.equal(details.actor, 'u-2');
    assert.equal(details.bucket, 'day');
    assert.equal(details.scanned, 1);
  });

  it('refuses a top outside 1..50 and an unknown bucket, naming the parameter', async () => {
    for (const [qs, path] of [
      ['top=0', 'top'],
      ['top=51', 'top'],
      ['bucket=week', 'bucket'],
    ]) {
      const res = await get(`/api/v1/events/facets?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.equal(res.json().error.path, path, qs);
    }
  });
});
