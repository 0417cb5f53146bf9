import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AlertService } from '../../../src/monitor/alerts/alert-service.js';
import { call, type TestServer, testServer } from '../../support/test-server.js';
import { alertService, BILLING_SOURCE, HR_SOURCE, newAlert, tokenFor } from './support.js';

type Headers = { authorization: string };

/**
 * An alert over billing-api and hr-api events (a threshold grouped by actor.id), read by a
 * reviewer limited to billing-*: they see it, with hr-api's parts withheld. And every list
 * or show of alerts is a read of event values, so it is in the log before the answer.
 */
describe('alerts that span sources, read by a scoped reader', () => {
  let t: TestServer;
  let service: AlertService;
  let billing: Headers;
  let everyone: Headers;
  let id: string;
  const HR_DESCRIPTION = '7 matching entries within 5m for actor.id=u-1. hr-api salary.read';

  before(async () => {
    t = await testServer();
    service = alertService(t).service;
    billing = await tokenFor(t, 'bill', [{ role: 'reviewer', sources: ['billing-*'] }]);
    everyone = await tokenFor(t, 'rita', [{ role: 'reviewer' }]);
    id = (
      await service.raise(
        newAlert({
          key: 'spanning:14',
          description: HR_DESCRIPTION,
          seqs: [3, 5, 9, 11, 12, 13, 14],
          sources: [BILLING_SOURCE, HR_SOURCE],
          seqsBySource: { [BILLING_SOURCE]: [3, 9], [HR_SOURCE]: [5, 11, 12, 13, 14] },
          group: { 'actor.id': 'u-1' },
        }),
      )
    ).id;
  });
  after(async () => t.close());

  const get = (url: string, who: Headers) => call(t, 'GET', url, who);
  const assertNoHrParts = (body: string, what: string) => {
    for (const leak of ['hr-api', 'salary', '"seqs":[3,5', ',11,', 'spanning:14']) {
      assert.ok(!body.includes(leak), `${what} leaks ${leak}: ${body.slice(0, 400)}`);
    }
  };

  it('shows only the in-scope sources and seqs, and withholds the description and key', async () => {
    const shown = await get(`/api/v1/alerts/${id}`, billing);
    assert.equal(shown.statusCode, 200, shown.body);
    const alert = shown.json();
    assert.deepEqual(alert.sources, [BILLING_SOURCE]);
    assert.deepEqual(alert.seqs, [3, 9]);
    assert.equal(alert.seq_count, 2);
    assert.equal(alert.partial, true);
    assert.equal(alert.key, undefined);
    assert.match(alert.description, /outside your access/);
    assert.deepEqual(alert.group, { 'actor.id': 'u-1' }, 'every event of the group carries it');
    assertNoHrParts(shown.body, 'show');

    const listed = await get('/api/v1/alerts', billing);
    assert.equal(listed.statusCode, 200);
    assert.deepEqual(listed.json().alerts[0].seqs, [3, 9]);
    assertNoHrParts(listed.body, 'list');

    for (const format of ['ndjson', 'csv']) {
      const exported = await get(`/api/v1/alerts/export?format=${format}`, billing);
      assert.equal(exported.statusCode, 200);
      assertNoHrParts(exported.body, `export ${format}`);
    }

    const handled = await call(t, 'POST', `/api/v1/alerts/${id}/comments`, billing, {
      text: 'looking at billing side',
    });
    assert.equal(handled.statusCode, 200, handled.body);
    assertNoHrParts(handled.body, 'a handling answer');
  });

  it('does not tell which alerts involve another source through the source filter', async () => {
    const byHr = await get(`/api/v1/alerts?source=${HR_SOURCE}`, billing);
    assert.equal(byHr.statusCode, 200);
    assert.deepEqual(byHr.json().alerts, []);
    const metrics = await get(`/api/v1/alerts/metrics?source=${HR_SOURCE}`, billing);
    assert.equal(metrics.json().overall.alerts, 0);
  });

  it('a reader of every source sees the alert whole', async () => {
    const alert = (await get(`/api/v1/alerts/${id}`, everyone)).json();
    assert.deepEqual(alert.sources, [BILLING_SOURCE, HR_SOURCE]);
    assert.deepEqual(alert.seqs, [3, 5, 9, 11, 12, 13, 14]);
    assert.equal(alert.description, HR_DESCRIPTION);
    assert.equal(alert.partial, false);
    assert.equal(alert.key, 'spanning:14');
  });

  it('an older multi-source alert without per-source seqs shows a scoped reader no seqs', async () => {
    const old = (
      await service.raise(
        newAlert({ key: 'old:1', seqs: [20, 21], sources: [BILLING_SOURCE, HR_SOURCE] }),
      )
    ).id;
    const alert = (await get(`/api/v1/alerts/${old}`, billing)).json();
    assert.deepEqual(alert.seqs, []);
    assert.equal(alert.partial, true);
  });

  it('records every list page and every show in the log before answering (alert.list, alert.read)', async () => {
    const logged = async (action: string) =>
      (await t.log.store.search({ source: 'evident', action, limit: 100 })).map(
        (e) => JSON.parse(e.record) as { actor: { id: string }; details: Record<string, unknown> },
      );
    const listsBefore = (await logged('alert.list')).length;
    const readsBefore = (await logged('alert.read')).length;

    const page = await get(`/api/v1/alerts?limit=1&state=open`, billing);
    assert.equal(page.statusCode, 200);
    const lists = await logged('alert.list');
    assert.equal(lists.length, listsBefore + 1);
    assert.equal(lists[0]!.actor.id, 'acct-bill');
    assert.deepEqual(lists[0]!.details, {
      state: 'open',
      limit: 1,
      returned: 1,
      first_id: page.json().alerts[0].id,
      last_id: page.json().alerts[0].id,
      scope: ['billing-*'],
    });

    await get(`/api/v1/alerts/${id}`, billing);
    const missing = await get('/api/v1/alerts/01JD8X7Q6R3T9V2W4Y5Z6A7B8C', billing);
    assert.equal(missing.statusCode, 404);
    const reads = await logged('alert.read');
    assert.equal(reads.length, readsBefore + 2);
    assert.deepEqual(
      reads.slice(0, 2).map((r) => r.details.found),
      [false, true],
    );
  });
});
