import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditQueue } from '../../src/gateway/audit/audit-queue.js';

describe('AuditQueue', () => {
  it('keeps order across batches and retries a failed batch instead of dropping it', async () => {
    const posted: number[][] = [];
    let failures = 1;
    const q = new AuditQueue({
      capacity: 100,
      maxBatch: 2,
      lanes: 1,
      sleep: async () => {},
      post: async (events) => {
        if (failures-- > 0) throw new Error('log unreachable');
        posted.push(events.map((e) => (e as { n: number }).n));
      },
    });
    for (let n = 1; n <= 5; n++) assert.equal(q.enqueue({ n }), undefined);
    await q.drained();
    assert.deepEqual(posted, [[1, 2], [3, 4], [5]]);
  });

  it('makes the caller wait when full, and lets it go when the sender frees room', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const posted: unknown[] = [];
    const q = new AuditQueue({
      capacity: 2,
      maxBatch: 10,
      post: async (events) => {
        await gate;
        posted.push(...events);
      },
    });
    q.enqueue({ n: 1 });
    q.enqueue({ n: 2 });
    const waiting = q.enqueue({ n: 3 });
    assert.ok(waiting instanceof Promise, 'a full queue returns a promise to wait on');
    let through = false;
    void waiting.then(() => {
      through = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(through, false);
    release();
    await waiting;
    await q.drained();
    assert.deepEqual(posted, [{ n: 1 }, { n: 2 }, { n: 3 }]);
  });

  it('appendDurable settles only after the post succeeded', async () => {
    const posted: unknown[] = [];
    const q = new AuditQueue({
      capacity: 10,
      maxBatch: 10,
      post: async (events) => {
        await new Promise((r) => setTimeout(r, 5));
        posted.push(...events);
      },
    });
    await q.appendDurable({ n: 1 });
    assert.deepEqual(posted, [{ n: 1 }]);
  });

  it('keeps each session in order on its lane while lanes post at the same time', async () => {
    const releases: (() => void)[] = [];
    const posted: string[][] = [];
    let failNext = true;
    const q = new AuditQueue({
      capacity: 100,
      maxBatch: 100,
      lanes: 4,
      sleep: async () => {},
      post: async (events) => {
        await new Promise<void>((r) => releases.push(r));
        // One lane's first request fails: it is retried, and its session stays in order.
        if (failNext) {
          failNext = false;
          throw new Error('log unreachable');
        }
        posted.push(events.map((e) => (e as { s: string; n: number }).s + (e as { n: number }).n));
      },
    });
    const sessions = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (let n = 1; n <= 3; n++) for (const s of sessions) q.enqueue({ s, n }, s);
    const drained = q.drained();
    // Requests of several lanes are in flight together.
    while (releases.length < 2) await new Promise((r) => setImmediate(r));
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const next = releases.shift();
      if (!next) break;
      next();
      await new Promise((r) => setTimeout(r, 1));
    }
    await drained;
    assert.ok(q.stats().mostInFlight >= 2, `requests in flight: ${q.stats().mostInFlight}`);
    const all = posted.flat();
    assert.equal(all.length, 24, 'every event once');
    for (const s of sessions)
      assert.deepEqual(
        all.filter((x) => x.startsWith(s)),
        [`${s}1`, `${s}2`, `${s}3`],
      );
  });

  it('sends as many events as are waiting, cut by the byte bound, and counts requests', async () => {
    const sizes: number[] = [];
    const bodies: string[] = [];
    const q = new AuditQueue({
      capacity: 1000,
      maxBatch: 1000,
      maxBatchBytes: 1000,
      lanes: 1,
      post: async (events, ndjson) => {
        sizes.push(events.length);
        bodies.push(ndjson);
      },
    });
    const pad = 'x'.repeat(80);
    for (let n = 0; n < 40; n++) q.enqueue({ n, pad });
    await q.drained();
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      40,
    );
    for (const body of bodies) assert.ok(Buffer.byteLength(body) <= 1000, `${body.length} bytes`);
    assert.ok(sizes.length >= 4 && sizes[0]! > 1, `batches ${sizes}`);
    assert.deepEqual(
      bodies.flatMap((b) => b.split('\n').map((l) => (JSON.parse(l) as { n: number }).n)),
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.deepEqual(q.stats(), {
      requests: sizes.length,
      events: 40,
      largestBatch: Math.max(...sizes),
      mostInFlight: 1,
    });
  });
});
