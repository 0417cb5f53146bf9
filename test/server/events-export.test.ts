import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromBase64 } from '../../src/core/bytes.js';
import { openCheckpoint } from '../../src/core/checkpoint.js';
import { leafHash } from '../../src/core/merkle.js';
import { parseVerifierKey } from '../../src/core/note.js';
import { verifyInclusion } from '../../src/core/proof.js';
import { EXPORT_PAGE_SIZE } from '../../src/events/event-search.js';
import { event, type TestServer, testServer } from '../support/test-server.js';

/** GET /api/v1/events/export: streamed CSV and NDJSON, provable line by line. */
describe('HTTP API: event export', () => {
  let t: TestServer;
  let billing: { authorization: string };
  let hr: { authorization: string };
  const get = (url: string, headers: Record<string, string> = t.admin) =>
    t.app.inject({ method: 'GET', url, headers });
  const post = (key: { authorization: string }, body: unknown) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/events',
      headers: { ...key, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
  const ndjson = (body: string) =>
    body
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));

  before(async () => {
    t = await testServer();
    billing = await t.ingestKey('billing-api');
    hr = await t.ingestKey('hr-app');
    // More than one export page, so the keyset paging is exercised.
    const many = Array.from({ length: EXPORT_PAGE_SIZE + 200 }, (_, i) =>
      event({ actor: { id: `u-${i % 7}` }, target: { id: `c-${i}`, type: 'customer' } }),
    );
    assert.equal((await post(billing, many)).statusCode, 201);
    const hostile = event({
      actor: { id: 'u-evil', name: '=HYPERLINK("http://x","y")' },
      reason: '+1, "quoted"\nnext line',
      target: { id: '@sum', type: 'customer' },
    });
    assert.equal((await post(hr, hostile)).statusCode, 201);
  });
  after(async () => t.close());

  it('streams every selected entry as NDJSON, each provable against the checkpoint it names', async () => {
    const res = await get('/api/v1/events/export?format=ndjson&source=billing-api');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /application\/x-ndjson/);
    const note = Buffer.from(String(res.headers['evident-checkpoint']), 'base64').toString('utf8');
    const info = (await get('/api/v1/log')).json();
    const checkpoint = openCheckpoint(note, [parseVerifierKey(info.verifier_key)]);
    assert.equal(String(res.headers['evident-tree-size']), String(checkpoint.size));

    const lines = ndjson(res.body);
    const trailer = lines.pop();
    assert.deepEqual(trailer, {
      trailer: { count: EXPORT_PAGE_SIZE + 200, tree_size: checkpoint.size, checkpoint: note },
    });
    assert.equal(lines.length, EXPORT_PAGE_SIZE + 200);
    const seqs = lines.map((l) => l.seq);
    assert.ok(
      seqs.every((s, i) => i === 0 || s < seqs[i - 1]),
      'newest first, no repeats',
    );
    assert.ok(lines.every((l) => l.record.source === 'billing-api'));
    for (const line of [lines[0], lines[EXPORT_PAGE_SIZE], lines[lines.length - 1]]) {
      // A reader proves a line from the line alone: recompute its leaf, fetch a proof.
      assert.equal(
        line.leaf_hash,
        Buffer.from(leafHash(JSON.stringify(line.record))).toString('base64'),
      );
      const proof = (
        await get(`/api/v1/log/proof/inclusion?seq=${line.seq}&tree_size=${checkpoint.size}`)
      ).json();
      verifyInclusion(
        line.seq,
        checkpoint.size,
        fromBase64(line.leaf_hash)!,
        proof.hashes.map(fromBase64),
        checkpoint.rootHash,
      );
    }
  });

  it('writes RFC 4180 CSV with formulas neutralised and a trailer row', async () => {
    const res = await get('/api/v1/events/export?format=csv&source=hr-app');
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-type']), /text\/csv/);
    const rows = res.body.split('\r\n');
    assert.equal(rows.pop(), '');
    assert.ok(rows[0]!.startsWith('seq,id,time,received_at,source,actor_id,actor_name'));
    assert.match(rows[1]!, /,"'=HYPERLINK\(""http:\/\/x"",""y""\)",/);
    assert.match(rows[1]!, /,'@sum,/);
    assert.match(res.body, /"'\+1, ""quoted""\nnext line"/);
    const trailer = rows[rows.length - 1]!.split(',');
    assert.equal(trailer[0], '#trailer');
    assert.equal(trailer[1], 'count=1');
    assert.match(trailer[3]!, /^checkpoint=[A-Za-z0-9+/=]+$/);
  });

  it('keeps to the caller sources and says nothing about others', async () => {
    const auditor = await t.principal({ roles: ['auditor'], sources: ['hr-*'] });
    const mine = ndjson((await get('/api/v1/events/export?format=ndjson', auditor.headers)).body);
    assert.equal(mine.pop().trailer.count, 1);
    assert.deepEqual(
      mine.map((l) => l.record.source),
      ['hr-app'],
    );
    const other = ndjson(
      (await get('/api/v1/events/export?format=ndjson&source=billing-api', auditor.headers)).body,
    );
    assert.deepEqual(
      other.map((l) => l.trailer?.count),
      [0],
    );
    const reviewer = await t.principal({ roles: ['reviewer'] });
    assert.equal((await get('/api/v1/events/export?format=csv', reviewer.headers)).statusCode, 403);
  });

  it('audits the export with its filters before sending it', async () => {
    await get('/api/v1/events/export?format=csv&actor=u-3&action=customer.*');
    const audit = (
      await get('/api/v1/events?source=evident&action=audit_log.export&limit=1')
    ).json().entries[0].record;
    assert.equal(audit.details.format, 'csv');
    assert.equal(audit.details.actor, 'u-3');
    assert.equal(audit.details.action, 'customer.*');
    assert.equal(typeof audit.details.tree_size, 'number');
  });

  it('refuses a missing or unknown format and bad filters with a 400 naming them', async () => {
    for (const [qs, path] of [
      ['', 'format'],
      ['format=xlsx', 'format'],
      ['format=csv&ip=nope', 'ip'],
      ['format=csv&limit=5', 'limit'],
    ]) {
      const res = await get(`/api/v1/events/export?${qs}`);
      assert.equal(res.statusCode, 400, qs);
      assert.equal(res.json().error.path, path, qs);
    }
  });

  it('is described in the OpenAPI document with the same filters as search', async () => {
    const doc = (await get('/api/v1/openapi.json')).json();
    const names = (op: { parameters: { name: string }[] }) => op.parameters.map((p) => p.name);
    const exportOp = doc.paths['/api/v1/events/export'].get;
    const searchOp = doc.paths['/api/v1/events'].get;
    for (const name of ['time_from', 'time_to', 'received_from', 'ip', 'actor_name', 'order']) {
      assert.ok(names(exportOp).includes(name), name);
      assert.ok(names(searchOp).includes(name), name);
    }
    assert.ok(names(exportOp).includes('format'));
    assert.ok(names(doc.paths['/api/v1/events'].post).includes('historical'));
  });

  it('carries the witness cosignatures kept for its checkpoint, in the header and the trailer', async () => {
    const size = (await get('/api/v1/log')).json().tree_size as number;
    const line = `— w1.test/witness ${Buffer.alloc(76, 7).toString('base64')}\n`;
    await t.log.store.addCosignature(size, 'w1.test/witness', line, t.clock.now());
    const res = await get('/api/v1/events/export?format=ndjson&source=hr-app');
    assert.equal(res.statusCode, 200, res.body);
    const note = Buffer.from(String(res.headers['evident-checkpoint']), 'base64').toString('utf8');
    assert.equal(String(res.headers['evident-tree-size']), String(size));
    assert.ok(note.endsWith(line), note);
    const info = (await get('/api/v1/log')).json();
    openCheckpoint(note, [parseVerifierKey(info.verifier_key)]); // the log's signature still opens
    const trailer = ndjson(res.body).pop().trailer;
    assert.equal(trailer.checkpoint, note);
  });
});
