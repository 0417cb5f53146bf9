import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { EventRecord } from '../../src/core/record/types.js';
import { event, type TestPrincipal, type TestServer, testServer } from '../support/test-server.js';

const UNKNOWN_ULID = '01JD8X7Q6R3T9V2W4Y5Z6A7B8C';

interface Posted {
  id: string;
  seq: number;
}

describe('HTTP API: reads honour a grant limited to sources', () => {
  let t: TestServer;
  let reviewer: TestPrincipal;
  let auditor: TestPrincipal;
  const posted = new Map<string, Posted>();

  before(async () => {
    t = await testServer();
    for (const source of ['billing-api', 'billing-web', 'hr-api', 'billingx']) {
      const key = await t.ingestKey(source);
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/events',
        headers: { ...key, 'content-type': 'application/json' },
        payload: JSON.stringify(event({ action: `${source}.read` })),
      });
      assert.equal(res.statusCode, 201, res.body);
      posted.set(source, res.json().entries[0]);
    }
    reviewer = await t.principal({ roles: ['reviewer'], sources: ['billing-*'] });
    auditor = await t.principal({ roles: ['auditor'], sources: ['billing-*', 'hr-api'] });
  });
  after(async () => t.close());

  const get = (url: string, who: { headers: { authorization: string } }) =>
    t.app.inject({ url, headers: who.headers });

  const readEvents = async (principalId: string, action: string): Promise<EventRecord[]> =>
    (await t.log.store.search({ source: 'evident', action, actor: principalId, limit: 100 })).map(
      (e) => JSON.parse(e.record) as EventRecord,
    );

  it('searches only the scope, and records the scope with the search', async () => {
    const res = await get('/api/v1/events?limit=1000', reviewer);
    assert.equal(res.statusCode, 200);
    const sources = res.json().entries.map((e: { record: EventRecord }) => e.record.source);
    assert.deepEqual(sources, ['billing-web', 'billing-api']);
    const filtered = await get('/api/v1/events?source=hr-api', reviewer);
    assert.deepEqual(filtered.json().entries, [], 'asking for another source finds nothing');
    const [search] = await readEvents(reviewer.id, 'audit_log.search');
    assert.deepEqual(search?.details?.scope, ['billing-*']);
    assert.equal(search?.details?.returned, 0);

    const wider = await get('/api/v1/events?limit=1000', auditor);
    const seen = wider.json().entries.map((e: { record: EventRecord }) => e.record.source);
    assert.deepEqual(seen.sort(), ['billing-api', 'billing-web', 'hr-api']);
  });

  it('answers 404 for an event outside the scope, exactly as for one that does not exist', async () => {
    const own = await get(`/api/v1/events/${posted.get('billing-api')!.id}`, reviewer);
    assert.equal(own.statusCode, 200);
    const other = posted.get('hr-api')!.id;
    const outside = await get(`/api/v1/events/${other}`, reviewer);
    const missing = await get(`/api/v1/events/${UNKNOWN_ULID}`, reviewer);
    assert.equal(outside.statusCode, 404);
    assert.equal(missing.statusCode, 404);
    assert.equal(
      outside.json().error.message.replace(other, 'ID'),
      missing.json().error.message.replace(UNKNOWN_ULID, 'ID'),
    );
    const reads = await readEvents(reviewer.id, 'audit_log.read');
    const denied = reads.find((e) => e.target?.id === other);
    assert.equal(denied?.outcome, 'denied');
    assert.equal(denied?.details?.found, false);
  });

  it('gives inclusion proofs only for entries in the scope', async () => {
    const size = (await t.log.store.head())!.size;
    const ok = await get(
      `/api/v1/log/proof/inclusion?seq=${posted.get('billing-web')!.seq}&tree_size=${size}`,
      auditor,
    );
    assert.equal(ok.statusCode, 200, ok.body);
    const outside = await get(
      `/api/v1/log/proof/inclusion?seq=${posted.get('billingx')!.seq}&tree_size=${size}`,
      auditor,
    );
    assert.equal(outside.statusCode, 404);
    assert.doesNotMatch(outside.body, /leaf_hash|billingx/);
    const proofs = await readEvents(auditor.id, 'audit_log.proof');
    assert.deepEqual(
      proofs.map((e) => e.outcome),
      ['denied', 'success'],
    );
    // Reviewers hold no proofs.read at all (docs/security.md).
    const noRole = await get(`/api/v1/log/proof/inclusion?seq=0&tree_size=${size}`, reviewer);
    assert.equal(noRole.statusCode, 403);
  });

  it('keeps raw log pages for unscoped grants, and event contents from plain admins', async () => {
    const scoped = await get('/api/v1/log/entries?start=0', auditor);
    assert.equal(scoped.statusCode, 403);
    assert.equal(scoped.json().error.reason, 'unscoped_grant_required');
    const everyone = await t.principal({ roles: ['auditor'] });
    assert.equal((await get('/api/v1/log/entries?start=0', everyone)).statusCode, 200);

    const admin = await t.principal({ roles: ['admin'] });
    const search = await get('/api/v1/events', admin);
    assert.equal(search.statusCode, 403);
    assert.equal(search.json().error.code, 'forbidden');
    const one = await get(`/api/v1/events/${posted.get('billing-api')!.id}`, admin);
    assert.equal(one.statusCode, 403);
  });
});
