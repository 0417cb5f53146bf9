import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromBase64, toBase64 } from '../../src/core/bytes.js';
import { canonicalize } from '../../src/core/canonical-json.js';
import { openCheckpoint } from '../../src/core/checkpoint.js';
import { leafHash } from '../../src/core/merkle.js';
import { parseVerifierKey } from '../../src/core/note.js';
import { verifyConsistency, verifyInclusion } from '../../src/core/proof.js';
import { event, TEST_ORIGIN, type TestServer, testServer } from '../support/test-server.js';

const ULID_A = '01JD8X7Q6R3T9V2W4Y5Z6A7B8C';
const UUID_A = '3f2b8c1e-9d4a-4e6b-8f0c-1a2b3c4d5e6f';

describe('HTTP API: events', () => {
  let t: TestServer;
  let billing: { authorization: string; id: string };

  before(async () => {
    t = await testServer();
    billing = await t.ingestKey('billing-api');
  });
  after(async () => t.close());

  const post = (
    body: unknown,
    headers: Record<string, string> = {},
    contentType = 'application/json',
  ) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...billing, 'content-type': contentType, ...headers },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (url: string, headers: Record<string, string> = t.admin) =>
    t.app.inject({ method: 'GET', url, headers });
  const treeSize = async () => (await t.log.store.head())!.size;

  it('appends one event and acknowledges it with a signed checkpoint that covers it', async () => {
    const res = await post(event({ id: ULID_A }));
    assert.equal(res.statusCode, 201);
    const body = res.json();
    assert.equal(body.entries.length, 1);
    assert.equal(body.entries[0].id, ULID_A);
    const info = (await get('/api/v1/log')).json();
    assert.equal(info.origin, TEST_ORIGIN);
    const cp = openCheckpoint(body.checkpoint, [parseVerifierKey(info.verifier_key)]);
    assert.ok(cp.size > body.entries[0].seq);

    // The leaf commits to exactly the record the API returns (invariant 3).
    const stored = (await get(`/api/v1/events/${ULID_A}`)).json();
    assert.equal(stored.seq, body.entries[0].seq);
    assert.equal(stored.record.source, 'billing-api');
    assert.match(stored.record.received_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(stored.leaf_hash, toBase64(leafHash(canonicalize(stored.record))));
    assert.equal(stored.leaf_hash, body.entries[0].leaf_hash);
  });

  it('takes a JSON array and NDJSON, in order, all in one checkpoint', async () => {
    const array = await post([
      event({ action: 'customer.update' }),
      event({ action: 'customer.delete' }),
    ]);
    assert.equal(array.statusCode, 201);
    const [a, b] = array.json().entries;
    assert.equal(b.seq, a.seq + 1);
    const ndjson = await post(
      `${JSON.stringify(event({ action: 'invoice.read' }))}\r\n\n${JSON.stringify(event({ action: 'invoice.send' }))}\n`,
      {},
      'application/x-ndjson',
    );
    assert.equal(ndjson.statusCode, 201);
    assert.equal(ndjson.json().entries.length, 2);
  });

  it('stores a retried id once, and refuses other content under it (409), all-or-nothing', async () => {
    const first = await post(event({ id: UUID_A.toUpperCase() }));
    assert.equal(first.statusCode, 201);
    assert.equal(first.json().entries[0].id, UUID_A, 'UUIDs are normalised to lower case');
    const size = await treeSize();
    const retry = await post(event({ id: UUID_A }));
    assert.equal(retry.statusCode, 201);
    assert.equal(retry.json().entries[0].seq, first.json().entries[0].seq);
    assert.equal(first.json().entries[0].already_stored, false);
    assert.equal(retry.json().entries[0].already_stored, true, 'the answer says nothing was new');
    assert.equal(await treeSize(), size, 'a retry appends nothing');

    const conflict = await post([
      event({ action: 'customer.export' }),
      event({ id: UUID_A, outcome: 'denied' }),
    ]);
    assert.equal(conflict.statusCode, 409);
    assert.equal(conflict.json().error.code, 'conflict');
    assert.equal(await treeSize(), size, 'nothing from a refused request is stored');
  });

  it("keeps another source's event hidden behind a reused id: a 409 without its seq or content", async () => {
    const hr = await t.ingestKey('hr-api');
    const id = '01JD8X7Q6R3T9V2W4Y5Z6A7B9H';
    const secret = event({ id, action: 'salary.read', reason: 'hr-only-reason' });
    const stored = await post(secret, hr);
    assert.equal(stored.statusCode, 201);
    const seq = String(stored.json().entries[0].seq);
    const size = await treeSize();

    // The same content and other content alike: the billing key learns only "id taken".
    for (const attempt of [secret, event({ id })]) {
      const conflict = await post(attempt);
      assert.equal(conflict.statusCode, 409, conflict.body);
      const { code, message } = conflict.json().error;
      assert.equal(code, 'conflict');
      assert.match(message, /use a new id/);
      assert.doesNotMatch(message, new RegExp(`seq|\\b${seq}\\b|hr-api|salary|hr-only`));
    }
    assert.equal(await treeSize(), size);

    // Its own source still hears which seq holds the id (it may read its own acknowledgements).
    const own = await post(event({ id, outcome: 'denied' }), hr);
    assert.equal(own.statusCode, 409);
    assert.match(own.json().error.message, new RegExp(`\\(seq ${seq}\\)`));
    assert.equal(own.json().error.reason, 'event_id_conflict');
  });

  it('deduplicates an id repeated within one request', async () => {
    const id = '01JD8X7Q6R3T9V2W4Y5Z6A7B8D';
    const res = await post([event({ id }), event({ id })]);
    assert.equal(res.statusCode, 201);
    const [a, b] = res.json().entries;
    assert.equal(a.seq, b.seq);
    assert.deepEqual([a.already_stored, b.already_stored], [false, true]);
  });

  it('stamps source from the key and refuses a different one in the body', async () => {
    const same = await post(event({ source: 'billing-api' }));
    assert.equal(same.statusCode, 201);
    const other = await post(event({ source: 'hr-api' }));
    assert.equal(other.statusCode, 400);
    assert.equal(other.json().error.path, '$.source');
  });

  it('searches newest first with filters and keyset cursors', async () => {
    for (let i = 0; i < 5; i++) {
      assert.equal(
        (await post(event({ actor: { id: 'u-search' }, target: { id: `doc-${i}`, type: 'doc' } })))
          .statusCode,
        201,
      );
    }
    const page1 = (await get('/api/v1/events?actor=u-search&limit=2')).json();
    assert.equal(page1.entries.length, 2);
    assert.ok(page1.entries[0].seq > page1.entries[1].seq);
    assert.equal(page1.entries[0].record.target.id, 'doc-4');
    assert.equal(typeof page1.next_cursor, 'string');
    const page2 = (
      await get(`/api/v1/events?actor=u-search&limit=2&cursor=${page1.next_cursor}`)
    ).json();
    assert.deepEqual(
      page2.entries.map((e: { record: { target: { id: string } } }) => e.record.target.id),
      ['doc-2', 'doc-1'],
    );
    const page3 = (
      await get(`/api/v1/events?actor=u-search&limit=2&cursor=${page2.next_cursor}`)
    ).json();
    assert.equal(page3.entries.length, 1);
    assert.equal(page3.next_cursor, null);

    const byTarget = (await get('/api/v1/events?target=doc-3&target_type=doc')).json();
    assert.equal(byTarget.entries.length, 1);
    assert.equal(
      (await get('/api/v1/events?target=doc-3&target_type=other')).json().entries.length,
      0,
    );
    assert.equal(
      (await get('/api/v1/events?outcome=denied&actor=u-search')).json().entries.length,
      0,
    );
  });

  it('filters by received_at time range', async () => {
    t.clock.set(Date.parse('2027-01-01T00:00:00.000Z'));
    await post(event({ actor: { id: 'u-time' } }));
    t.clock.set(Date.parse('2027-01-02T00:00:00.000Z'));
    await post(event({ actor: { id: 'u-time' } }));
    const q = (s: string) =>
      get(`/api/v1/events?actor=u-time&${s}`).then((r) => r.json().entries.length);
    assert.equal(await q('from=2027-01-01T12:00:00Z'), 1);
    assert.equal(await q('to=2027-01-01T12:00:00Z'), 1);
    assert.equal(await q('from=2027-01-01T00:00:00Z&to=2027-01-02T00:00:00Z'), 2);
    assert.equal(await q('from=2027-01-03T00:00:00Z'), 0);
  });

  it('rejects bad search parameters with 400 naming the parameter', async () => {
    for (const [qs, path] of [
      ['actr=x', 'actr'],
      ['limit=0', 'limit'],
      ['limit=1001', 'limit'],
      ['limit=abc', 'limit'],
      ['cursor=!!', 'cursor'],
      ['cursor=czE5OTk5OTk5OTk5OTk5OTk5OTk5', 'cursor'],
      ['from=yesterday', 'from'],
      ['from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z', 'from'],
      ['outcome=maybe', 'outcome'],
      ['actor=a&actor=b', 'actor'],
      ['actor=%00', 'actor'],
    ]) {
      const res = await get(`/api/v1/events?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.equal(res.json().error.path, path, qs);
    }
  });

  it('records every admin read in the log itself (invariant 4)', async () => {
    await get('/api/v1/events?actor=u-audited');
    const audit = (
      await get('/api/v1/events?source=evident&action=audit_log.search&limit=1')
    ).json();
    const record = audit.entries[0].record;
    assert.equal(record.source, 'evident');
    assert.equal(record.actor.type, 'admin_token');
    assert.equal(record.details.actor, 'u-audited');
    const before = await treeSize();
    await get(`/api/v1/events/${ULID_A}`);
    assert.equal(await treeSize(), before + 1, 'an entry read appends one audit event');
  });

  it('serves inclusion and consistency proofs that verify against signed checkpoints', async () => {
    const info = (await get('/api/v1/log')).json();
    const key = parseVerifierKey(info.verifier_key);
    const older = openCheckpoint(info.checkpoint, [key]);
    await post(event({ action: 'customer.merge' }));
    const newer = openCheckpoint((await get('/api/v1/log/checkpoint')).body, [key]);
    assert.ok(newer.size > older.size);

    for (const seq of [0, 1, Math.floor(older.size / 2), older.size - 1]) {
      const proof = (
        await get(`/api/v1/log/proof/inclusion?seq=${seq}&tree_size=${older.size}`)
      ).json();
      const entry = (await get(`/api/v1/log/entries?start=${seq}&end=${seq + 1}`)).json()
        .entries[0];
      assert.equal(proof.leaf_hash, entry.leaf_hash);
      verifyInclusion(
        seq,
        older.size,
        fromBase64(proof.leaf_hash)!,
        proof.hashes.map(fromBase64),
        older.rootHash,
      );
    }
    const consistency = (
      await get(`/api/v1/log/proof/consistency?from=${older.size}&to=${newer.size}`)
    ).json();
    verifyConsistency(
      older.size,
      newer.size,
      consistency.hashes.map(fromBase64),
      older.rootHash,
      newer.rootHash,
    );

    assert.equal((await get('/api/v1/log/proof/inclusion?seq=1000000000')).statusCode, 400);
    assert.equal(
      (await get('/api/v1/log/proof/inclusion?seq=0&tree_size=1000000000')).statusCode,
      400,
    );
    assert.equal((await get('/api/v1/log/proof/consistency?from=5&to=3')).statusCode, 400);
  });

  it('pages entries in seq order with bounded pages', async () => {
    const size = await treeSize();
    const page = (await get('/api/v1/log/entries?start=0&end=3')).json();
    assert.deepEqual(
      page.entries.map((e: { seq: number }) => e.seq),
      [0, 1, 2],
    );
    assert.equal(page.next_start, null, 'the requested range is complete');
    const all = (await get('/api/v1/log/entries?start=0')).json();
    // The first page's own audit event is the one entry more.
    assert.equal(all.entries.length, size + 1);
    assert.equal(all.entries[size].record.action, 'audit_log.export');
    assert.equal((await get('/api/v1/log/entries?start=1000000000')).statusCode, 400);
    assert.equal((await get('/api/v1/log/entries?start=4&end=4')).statusCode, 400);
    assert.equal((await get('/api/v1/log/entries')).statusCode, 400);
  });

  it('answers 401 and 403 exactly as the permission rules say', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/events' });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error.code, 'unauthorized');
    assert.equal(
      (await get('/api/v1/events', { authorization: 'Bearer nope-nope-nope' })).statusCode,
      401,
    );
    assert.equal((await get('/api/v1/events', { authorization: 'Basic abc' })).statusCode, 401);
    assert.equal((await get('/api/v1/events', billing)).statusCode, 403, 'ingest keys cannot read');
    assert.equal((await post(event(), t.admin)).statusCode, 403, 'the admin token cannot append');

    const hr = await t.ingestKey('hr-api');
    await t.log.store.revokeIngestKey(hr.id, t.clock.now());
    assert.equal((await post(event(), hr)).statusCode, 401, 'a revoked key is refused');
    const tampered = `${billing.authorization.slice(0, -2)}xx`;
    assert.equal((await post(event(), { authorization: tampered })).statusCode, 401);
  });

  it('serves health and the OpenAPI document without a token', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.equal(health.json().status, 'ok');
    const doc = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/v1/events'].post);
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nothing' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'not_found');
  });
});
