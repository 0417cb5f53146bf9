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
      replaced: 0,
    });
  });

  /** What the log answers with a 4xx: an error carrying the HTTP status, as ApiError does. */
  const refused = (status: number, message: string) =>
    Object.assign(new Error(message), { status });

  it('halves a batch the log finds fault with, storing a stand-in for the refused event', async () => {
    const stored: unknown[] = [];
    const requests: number[] = [];
    const q = new AuditQueue({
      capacity: 100,
      maxBatch: 100,
      lanes: 1,
      sleep: async () => assert.fail('a refused event is not retried as is'),
      replaceRefused: (event, line, error) => ({
        standsFor: (event as { n: number }).n,
        line,
        status: error.status,
        message: error.message,
      }),
      post: async (events) => {
        requests.push(events.length);
        // All-or-nothing, as the log's ingest: one bad event refuses the whole request.
        if (events.some((e) => (e as { bad?: boolean }).bad))
          throw refused(422, 'details.x: too deep');
        stored.push(...events);
      },
    });
    for (let n = 1; n <= 8; n++) q.enqueue(n === 6 ? { n, bad: true } : { n });
    await q.drained();
    assert.deepEqual(stored, [
      { n: 1 },
      { n: 2 },
      { n: 3 },
      { n: 4 },
      { n: 5 },
      {
        standsFor: 6,
        line: JSON.stringify({ n: 6, bad: true }),
        status: 422,
        message: 'details.x: too deep',
      },
      { n: 7 },
      { n: 8 },
    ]);
    // 8 refused, then 4 stored, 4 refused, 2 refused, 1 stored, 1 refused, its stand-in, 2 stored.
    assert.deepEqual(requests, [8, 4, 4, 2, 1, 1, 1, 2]);
    assert.equal(q.stats().replaced, 1);
    assert.equal(q.stats().events, 8);
    assert.equal(q.refusal, undefined);
  });

  it('splits a body the log finds too large without replacing anything', async () => {
    const stored: number[] = [];
    const q = new AuditQueue({
      capacity: 100,
      maxBatch: 100,
      lanes: 1,
      replaceRefused: () => assert.fail('nothing is refused on its own'),
      post: async (events) => {
        if (events.length > 3) throw refused(413, 'body over 10 MiB');
        stored.push(...events.map((e) => (e as { n: number }).n));
      },
    });
    for (let n = 1; n <= 10; n++) q.enqueue({ n });
    await q.drained();
    assert.deepEqual(
      stored,
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    assert.equal(q.stats().replaced, 0);
  });

  it('while the log refuses the gateway (401), holds the events, says so, and retries', async () => {
    let answer: Error | undefined = refused(401, 'unauthorized: the token was revoked');
    const stored: unknown[] = [];
    const reports: [number, number][] = [];
    let wake: () => void = () => {};
    const q = new AuditQueue({
      capacity: 100,
      maxBatch: 100,
      lanes: 1,
      replaceRefused: () => assert.fail('a refusal of the gateway is not a refused event'),
      onRefused: (error, attempt) => reports.push([error.status, attempt]),
      onRetry: () => assert.fail('reported as a refusal, not as a failure'),
      sleep: () =>
        new Promise<void>((r) => {
          wake = r;
        }),
      post: async (events) => {
        if (answer) throw answer;
        stored.push(...events);
      },
    });
    q.enqueue({ n: 1 });
    q.enqueue({ n: 2 });
    const attempts = async (n: number) => {
      while (reports.length < n) await new Promise((r) => setImmediate(r));
    };
    await attempts(1);
    assert.deepEqual(q.refusal, { status: 401, message: 'unauthorized: the token was revoked' });
    assert.equal(q.length, 2, 'held, not dropped');
    wake();
    await attempts(2);
    wake();
    await attempts(3);
    // The operator fixes the key.
    answer = undefined;
    wake();
    await q.drained();
    assert.deepEqual(reports, [
      [401, 1],
      [401, 2],
      [401, 3],
    ]);
    assert.deepEqual(stored, [{ n: 1 }, { n: 2 }]);
    assert.equal(q.refusal, undefined, 'cleared once the log takes events again');
  });

  it('a refused stand-in leaves the queue refused rather than dropping anything', async () => {
    let refuse = true;
    const stored: unknown[] = [];
    const refusals: number[] = [];
    const q = new AuditQueue({
      capacity: 100,
      maxBatch: 100,
      lanes: 1,
      replaceRefused: () => ({ standIn: true }),
      onRefused: (error) => refusals.push(error.status),
      sleep: async () => {
        refuse = false;
      },
      post: async (events) => {
        if (refuse) throw refused(400, 'invalid_record');
        stored.push(...events);
      },
    });
    q.enqueue({ n: 1 });
    await q.drained();
    assert.deepEqual(refusals, [400], 'the stand-in refused too: the queue was refused');
    assert.deepEqual(stored, [{ standIn: true }]);
    assert.equal(q.refusal, undefined);
  });

  it('retries 408 and 429 as transient, without refusing', async () => {
    const answers = [refused(429, 'too many requests'), refused(408, 'timeout')];
    const retried: number[] = [];
    const q = new AuditQueue({
      capacity: 10,
      maxBatch: 10,
      lanes: 1,
      onRetry: (error) => retried.push((error as { status: number }).status),
      onRefused: () => assert.fail('transient'),
      sleep: async () => {},
      post: async () => {
        const next = answers.shift();
        if (next) throw next;
      },
    });
    q.enqueue({ n: 1 });
    await q.drained();
    assert.deepEqual(retried, [429, 408]);
  });
});
