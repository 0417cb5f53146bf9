/**
 * Ingest keys over the API: the client's mistakes are 400s with their reasons, a store
 * failure is a 500 that says nothing of it, and revocation is idempotent.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestServer, testServer } from '../support/test-server.js';

describe('HTTP API: ingest keys', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(() => t.close());

  const create = (payload: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/keys',
      headers: { ...t.admin, 'content-type': 'application/json' },
      payload,
    });

  it('makes a key, lists it without its secret, and revokes it once', async () => {
    const made = await create('{"source":"billing-api","label":"billing"}');
    assert.equal(made.statusCode, 201, made.body);
    const key = made.json();
    assert.match(key.key, /^evk_/);
    assert.equal(key.label, 'billing');
    const list = await t.app.inject({ url: '/api/v1/keys', headers: t.admin });
    const listed = list.json().keys.find((k: { id: string }) => k.id === key.id);
    assert.equal(listed.key, undefined);
    assert.equal(listed.revoked_at, null);
    const revoke = () =>
      t.app.inject({ method: 'POST', url: `/api/v1/keys/${key.id}/revoke`, headers: t.admin });
    const first = await revoke();
    assert.equal(first.statusCode, 200);
    assert.notEqual(first.json().revoked_at, null);
    const second = await revoke();
    assert.equal(second.json().revoked_at, first.json().revoked_at);
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/api/v1/keys/0000000000000000/revoke',
      headers: t.admin,
    });
    assert.equal(unknown.statusCode, 404);
  });

  for (const [payload, reason, path] of [
    ['{"source":"bad name"}', 'invalid_source_name', 'source'],
    ['{"source":"evident-x"}', 'source_reserved', 'source'],
    ['{"sorce":"x"}', 'unknown_field', 'sorce'],
    ['{"label":"x"}', 'missing_field', 'source'],
    ['{"source":""}', 'invalid_field', 'source'],
    ['{"source":7}', 'invalid_field', 'source'],
    ['', 'body_not_object', undefined],
  ] as const) {
    it(`${payload || 'no body'} → 400 ${reason}`, async () => {
      const res = await create(payload);
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.reason, reason);
      if (path !== undefined) assert.equal(res.json().error.path, path);
    });
  }

  it('a store failure is a 500 that names nothing of it', async () => {
    const store = t.log.store;
    const insert = store.insertIngestKey.bind(store);
    store.insertIngestKey = async () => {
      throw new Error('disk I/O error at /var/lib/evident/evident.db');
    };
    try {
      const res = await create('{"source":"payments"}');
      assert.equal(res.statusCode, 500);
      assert.equal(res.json().error.reason, 'internal');
      assert.doesNotMatch(res.body, /disk|evident\.db/);
    } finally {
      store.insertIngestKey = insert;
    }
  });
});
