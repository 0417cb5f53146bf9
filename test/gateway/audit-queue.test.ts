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
});
