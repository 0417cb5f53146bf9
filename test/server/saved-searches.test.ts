import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestServer, testServer } from '../support/test-server.js';

/** /api/v1/saved-searches: each person keeps their own; every change is in the log. */
describe('HTTP API: saved searches', () => {
  let t: TestServer;
  let ada: Record<string, string>;
  let bob: Record<string, string>;
  const call = (
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    body?: unknown,
  ) =>
    t.app.inject({
      method,
      url,
      headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });

  before(async () => {
    t = await testServer();
    ada = (await t.principal({ roles: ['reviewer'], sources: ['billing-*'] })).headers;
    bob = (await t.principal({ roles: ['auditor'] })).headers;
  });
  after(async () => t.close());

  it('saves (201), saves a name again (200), lists only the caller’s own', async () => {
    const body = { name: 'failed logins', query: 'action:session.* outcome:failure', range: '24h' };
    const created = await call('POST', '/api/v1/saved-searches', ada, body);
    assert.equal(created.statusCode, 201, created.body);
    const again = await call('POST', '/api/v1/saved-searches', ada, { ...body, range: '7d' });
    assert.equal(again.statusCode, 200, again.body);
    assert.equal(again.json().id, created.json().id);
    assert.equal(again.json().range, '7d');
    const mine = (await call('GET', '/api/v1/saved-searches', ada)).json().saved_searches;
    assert.deepEqual(
      mine.map((s: { name: string }) => s.name),
      ['failed logins'],
    );
    assert.deepEqual((await call('GET', '/api/v1/saved-searches', bob)).json().saved_searches, []);
  });

  it('deletes only the caller’s own: another person gets 404 and it stays', async () => {
    const id = (await call('GET', '/api/v1/saved-searches', ada)).json().saved_searches[0].id;
    assert.equal((await call('DELETE', `/api/v1/saved-searches/${id}`, bob)).statusCode, 404);
    assert.equal(
      (await call('GET', '/api/v1/saved-searches', ada)).json().saved_searches.length,
      1,
    );
    const res = await call('DELETE', `/api/v1/saved-searches/${id}`, ada);
    assert.equal(res.statusCode, 204, res.body);
    assert.deepEqual((await call('GET', '/api/v1/saved-searches', ada)).json().saved_searches, []);
  });

  it('records each change in the log', async () => {
    const log = (
      await call('GET', '/api/v1/events?source=evident&action=saved_search.*&limit=10', t.admin)
    ).json();
    assert.deepEqual(
      log.entries.map((e: { record: { action: string } }) => e.record.action),
      ['saved_search.delete', 'saved_search.update', 'saved_search.create'],
    );
  });

  it('refuses unknown fields, an empty name and an empty search, naming the field', async () => {
    for (const [body, path] of [
      [{ name: 'x', query: 'a', colour: 'red' }, 'colour'],
      [{ name: ' ', query: 'a' }, 'name'],
      [{ name: 'x', query: '', range: '' }, 'query'],
      [{ query: 'a' }, 'name'],
    ] as const) {
      const res = await call('POST', '/api/v1/saved-searches', ada, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      assert.equal(res.json().error.path, path, JSON.stringify(body));
    }
  });
});
