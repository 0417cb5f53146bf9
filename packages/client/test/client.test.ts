import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint as coreOpenCheckpoint } from '../../../src/core/checkpoint.js';
import { leafHash as coreLeafHash } from '../../../src/core/merkle.js';
import {
  parseVerifierKey as coreParseVerifierKey,
  generateSignerKey,
  verifierKeyOf,
} from '../../../src/core/note.js';
import { TEST_ORIGIN } from '../../../test/support/test-server.js';
import { EvidentClient, type EvidentClientError, type StoredEvent } from '../src/index.js';
import {
  deadUrl,
  droppingRelay,
  type ListeningServer,
  listeningServer,
  sample,
} from './support.js';

describe('EvidentClient against a real server', () => {
  let s: ListeningServer;
  before(async () => {
    s = await listeningServer();
  });
  after(async () => {
    await s.close();
  });

  it('sends in batches, returns each event its checkpoint, and verifies it', async () => {
    const before = (await s.stored()).length;
    const requests: number[] = [];
    const client = new EvidentClient({
      url: s.url,
      key: s.key,
      batchSize: 40,
      flushIntervalMs: 10_000,
      fetch: (url, init) => {
        requests.push(String(init.body).split('\n').length);
        return fetch(url, init);
      },
    });
    const receipts = [];
    for (let i = 0; i < 100; i++) receipts.push(await client.log(sample(i)));
    await client.close();
    // Two full batches went by size; the partial one by close(), not the 10 s timer.
    assert.deepEqual(requests, [40, 40, 20]);
    const stored = await Promise.all(receipts.map((r) => r.stored));
    assert.deepEqual(
      stored.map((e) => e.id),
      receipts.map((r) => r.id),
    );
    const rows = await s.stored();
    assert.equal(rows.length - before, 100);
    for (const e of [stored[0]!, stored[57]!, stored[99]!]) {
      const result = await client.verify(e);
      assert.ok(result.treeSize > e.seq);
      // The client's own verifier agrees with the server's core on the same material.
      const row = rows.find((r) => r.seq === e.seq)!;
      assert.equal(
        e.leafHash,
        Buffer.from(coreLeafHash(JSON.stringify(row.record))).toString('base64'),
      );
    }
  });

  it('agrees with src/core on the checkpoint and refuses tampered proofs and notes', async () => {
    const client = new EvidentClient({ url: s.url, key: s.key, flushIntervalMs: 1 });
    const stored = await (await client.log(sample(1))).stored;
    await client.close();
    const keys = (await (await fetch(`${s.url}/api/v1/log/keys`)).json()) as { current: string };
    const core = coreOpenCheckpoint(stored.checkpoint, [coreParseVerifierKey(keys.current)]);
    const mine = await client.verify(stored);
    assert.equal(mine.treeSize, core.size);
    assert.equal(mine.rootHash, Buffer.from(core.rootHash).toString('base64'));

    const flipped: StoredEvent = {
      ...stored,
      inclusion: stored.inclusion!.map((h, i) =>
        i === 0 ? Buffer.alloc(32, 7).toString('base64') : h,
      ),
    };
    await assert.rejects(client.verify(flipped), { code: 'proof_mismatch' });
    const forged = stored.checkpoint.replace(/\n\d+\n/, `\n${core.size + 1}\n`);
    await assert.rejects(client.verify({ ...stored, checkpoint: forged }), {
      code: 'bad_signature',
    });
    // A well-formed key of the same name that did not sign: pinned, it must not be fooled.
    const impostor = verifierKeyOf(generateSignerKey(TEST_ORIGIN));
    const other = new EvidentClient({ url: s.url, key: s.key, verifierKey: impostor });
    await assert.rejects(other.verify(stored), { code: 'bad_signature' });
    await other.close();
    assert.throws(
      () =>
        new EvidentClient({ url: s.url, key: s.key, verifierKey: `${impostor.slice(0, -4)}AAAA` }),
      { code: 'bad_verifier_key' },
    );
  });

  it('retries a batch whose answer was lost and the log stores it once', async () => {
    const relay = await droppingRelay(s.url, 1);
    const retries: string[] = [];
    const client = new EvidentClient({
      url: relay.url,
      key: s.key,
      batchSize: 10,
      retryBaseMs: 5,
      onError: (e) => retries.push(e.code),
    });
    const receipts = [];
    for (let i = 0; i < 10; i++) receipts.push(await client.log(sample(1000 + i)));
    const stored = await Promise.all(receipts.map((r) => r.stored));
    await client.close();
    await relay.close();
    assert.equal(relay.dropped(), 1);
    assert.deepEqual(retries, ['unreachable']);
    const rows = await s.stored();
    for (const e of stored) assert.equal(rows.filter((r) => r.id === e.id).length, 1);
    // The first attempt was stored; the retry was answered with those same seqs.
    const seqs = stored.map((e) => e.seq);
    assert.deepEqual(
      seqs,
      rows.filter((r) => seqs.includes(r.seq)).map((r) => r.seq),
    );
  });

  it('refuses one bad event alone and stores the rest of its batch', async () => {
    const refused: string[][] = [];
    const client = new EvidentClient({
      url: s.url,
      key: s.key,
      batchSize: 3,
      onError: (_e, ids) => refused.push([...ids]),
    });
    const good1 = await client.log(sample(1));
    const bad = await client.log({ ...sample(2), action: 'not a dotted verb!' });
    const good2 = await client.log(sample(3));
    await client.close();
    await assert.rejects(bad.stored, (e: EvidentClientError) => {
      assert.equal(e.code, 'rejected');
      assert.equal(e.status, 400);
      assert.equal(e.serverReason, 'invalid_record');
      assert.match(e.path ?? '', /^\$\[1\]\.action/);
      return true;
    });
    assert.deepEqual(refused, [[bad.id]]);
    assert.ok((await good1.stored).seq < (await good2.stored).seq);
  });

  it('rejects an event without the required fields before queueing it', async () => {
    const client = new EvidentClient({ url: s.url, key: s.key });
    await assert.rejects(client.log({ ...sample(1), actor: { id: '' } }), {
      code: 'invalid_record',
    });
    await assert.rejects(client.log({ ...sample(1), outcome: 'ok' as never }), {
      code: 'invalid_record',
    });
    await client.close();
    await assert.rejects(client.log(sample(1)), { code: 'closed' });
  });
});

describe('EvidentClient backpressure', () => {
  it('rejects when the queue is full and whenFull is reject', async () => {
    const client = new EvidentClient({
      url: await deadUrl(),
      key: 'evi_unused',
      batchSize: 5,
      maxQueue: 5,
      whenFull: 'reject',
      retryBaseMs: 1_000,
    });
    for (let i = 0; i < 5; i++) await client.log(sample(i));
    await assert.rejects(client.log(sample(6)), { code: 'queue_full' });
    await client.close({ timeoutMs: 10 });
  });

  it('makes log() wait for room, and lets it in once a batch is stored', async () => {
    const s = await listeningServer('backpressure');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const client = new EvidentClient({
      url: s.url,
      key: s.key,
      batchSize: 4,
      maxQueue: 4,
      fetch: async (url, init) => {
        await gate;
        return fetch(url, init);
      },
    });
    try {
      for (let i = 0; i < 4; i++) await client.log(sample(i));
      let admitted = false;
      const fifth = client.log(sample(5)).then((r) => {
        admitted = true;
        return r;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(admitted, false, 'a full queue holds the caller');
      release();
      const receipt = await fifth;
      await client.close();
      assert.ok((await receipt.stored).seq >= 0);
      assert.equal((await s.stored()).length, 5);
    } finally {
      await s.close();
    }
  });

  it('rejects with closed when close() gives up while an attempt is still on its way', async () => {
    // The attempt fails only after close()'s timeout, as a connection attempt to a host that
    // does not answer does, or any attempt on a machine busy enough.
    const client = new EvidentClient({
      url: await deadUrl(),
      key: 'evi_unused',
      retryBaseMs: 5,
      fetch: () =>
        new Promise((_, reject) => setTimeout(() => reject(new TypeError('fetch failed')), 150)),
    });
    const r = await client.log(sample(1));
    await client.close({ timeoutMs: 50 });
    await assert.rejects(r.stored, { code: 'closed' });
  });

  it('gives up at close() after its timeout, rejecting with closed', async () => {
    const client = new EvidentClient({ url: await deadUrl(), key: 'evi_unused', retryBaseMs: 5 });
    const r = await client.log(sample(1));
    await client.close({ timeoutMs: 50 });
    await assert.rejects(r.stored, { code: 'closed' });
  });
});
