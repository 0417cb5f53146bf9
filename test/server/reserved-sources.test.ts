import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createIngestKey } from '../../src/access/credentials/ingest-keys.js';
import { hashSecret } from '../../src/access/credentials/secrets.js';
import { call, event, type TestServer, testServer } from '../support/test-server.js';

/**
 * The log's own source `evident` is reserved with every look-alike (a prefix rule, any case),
 * so no key, declaration or append can make events that pass for self-audit events.
 */
describe('reserved source names', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  for (const source of ['evident', 'Evident', 'EVIDENT', 'evident.', 'evident-', 'eViDeNt_audit']) {
    it(`refuses an ingest key for "${source}" with a 400 naming the rule`, async () => {
      const res = await call(t, 'POST', '/api/v1/keys', t.admin, { source });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'bad_request');
      assert.equal(res.json().error.path, 'source');
      assert.match(res.json().error.message, /reserved: names starting with "evident"/);
      assert.equal(res.json().error.reason, 'source_reserved');
    });
  }

  it('still makes keys for names that merely contain it', async () => {
    for (const source of ['not-evident', 'my-evident-app']) {
      const res = await call(t, 'POST', '/api/v1/keys', t.admin, { source });
      assert.equal(res.statusCode, 201, res.body);
    }
  });

  it('refuses the same names at the library the CLI uses', async () => {
    await assert.rejects(createIngestKey(t.log.store, t.clock, 'Evident'), {
      code: 'bad_request',
    });
  });

  it('refuses declaring a look-alike source, while the log’s own may be described', async () => {
    const res = await call(t, 'PUT', '/api/v1/sources/EVIDENT-ops', t.admin, {});
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.reason, 'source_reserved');
    assert.equal((await call(t, 'GET', '/api/v1/sources/EVIDENT-ops', t.admin)).statusCode, 404);
    const own = await call(t, 'PUT', '/api/v1/sources/evident', t.admin, {
      description: 'the log itself',
    });
    assert.equal(own.statusCode, 200, own.body);
  });

  it('refuses appends from a key made for a look-alike before names were reserved', async () => {
    const secret = 'x'.repeat(43);
    // Straight into the store, as an older version would have made it.
    await t.log.store.insertIngestKey({
      id: 'a1b2c3d4e5f60719',
      source: 'Evident',
      secretHash: hashSecret(secret),
      label: null,
      createdAtMs: t.clock.now(),
      revokedAtMs: null,
    });
    const res = await call(
      t,
      'POST',
      '/api/v1/events',
      { authorization: `Bearer evk_a1b2c3d4e5f60719_${secret}` },
      event(),
    );
    assert.equal(res.statusCode, 403, res.body);
    assert.equal(res.json().error.reason, 'key_source_reserved');
  });
});

describe('only client errors become 4xx', () => {
  let t: TestServer;
  before(async () => {
    t = await testServer();
  });
  after(async () => t.close());

  it('a store failure while creating an ingest key is a 500 without internals', async () => {
    const store = t.log.store as { insertIngestKey: unknown };
    const original = store.insertIngestKey;
    store.insertIngestKey = async () => {
      throw new Error('SQLITE_IOERR: disk I/O error at /secret/path');
    };
    try {
      const res = await call(t, 'POST', '/api/v1/keys', t.admin, { source: 'billing-api' });
      assert.equal(res.statusCode, 500, res.body);
      assert.equal(res.json().error.code, 'internal');
      assert.doesNotMatch(res.body, /SQLITE|secret\/path/);
    } finally {
      store.insertIngestKey = original;
    }
  });

  it('a bad source name is still a 400 with its path', async () => {
    const res = await call(t, 'POST', '/api/v1/keys', t.admin, { source: '-bad name' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.path, 'source');
  });

  it('a bad declared silence is a 400 with its path', async () => {
    const res = await call(t, 'PUT', '/api/v1/sources/billing-api', t.admin, {
      expected_max_silence: 'soon',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.path, 'expected_max_silence');
  });
});
