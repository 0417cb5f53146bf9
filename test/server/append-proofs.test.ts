import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fromBase64 } from '../../src/core/bytes.js';
import { parseCheckpoint } from '../../src/core/checkpoint.js';
import { verifyInclusion } from '../../src/core/proof.js';
import { call, event, type TestServer, testServer } from '../support/test-server.js';

interface Answer {
  entries: { id: string; seq: number; leaf_hash: string; inclusion?: string[] }[];
  checkpoint: string;
}

describe('POST /api/v1/events?proof=inclusion', () => {
  let t: TestServer;
  let key: { authorization: string };
  before(async () => {
    t = await testServer();
    key = await t.ingestKey('proofs-app');
  });
  after(async () => {
    await t.close();
  });

  it("returns each event's inclusion proof against the returned checkpoint, retries included", async () => {
    const first = await call(t, 'POST', '/api/v1/events', key, [event(), event()]);
    const firstIds = (first.json() as Answer).entries.map((e) => e.id);
    // The last one is an idempotent retry of an earlier event: it answers with its old seq.
    const batch = [
      ...Array.from({ length: 300 }, (_, i) =>
        event({ target: { type: 'customer', id: `c-${i}` } }),
      ),
      event({ id: firstIds[0] }),
    ];
    const res = await call(t, 'POST', '/api/v1/events?proof=inclusion', key, batch);
    assert.equal(res.statusCode, 201, res.body);
    const answer = res.json() as Answer;
    const cp = parseCheckpoint(
      answer.checkpoint.slice(0, answer.checkpoint.lastIndexOf('\n\n') + 1),
    );
    assert.equal(answer.entries.at(-1)!.seq, 0);
    for (const e of answer.entries) {
      assert.ok(e.inclusion, `entry ${e.seq} has a proof`);
      verifyInclusion(
        e.seq,
        cp.size,
        fromBase64(e.leaf_hash)!,
        e.inclusion.map((h) => fromBase64(h)!),
        cp.rootHash,
      );
    }
  });

  it('returns no proofs unless asked, and refuses other values and unknown parameters', async () => {
    const plain = await call(t, 'POST', '/api/v1/events', key, event());
    assert.equal((plain.json() as Answer).entries[0]!.inclusion, undefined);
    const bad = await call(t, 'POST', '/api/v1/events?proof=consistency', key, event());
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.path, 'proof');
    const unknown = await call(t, 'POST', '/api/v1/events?prof=inclusion', key, event());
    assert.equal(unknown.statusCode, 400);
    assert.equal(unknown.json().error.path, 'prof');
  });
});
