import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommitPacer } from '../../src/log/commit-pacer.js';

describe('CommitPacer', () => {
  it('takes the next batch at once until it has measured the writer', () => {
    const pacer = new CommitPacer();
    assert.equal(pacer.lingerMs({ events: 5000, writerStartMs: 0 }, 500, 0), 0);
    pacer.committed(4, 2); // small batches only measure the fixed cost
    assert.equal(pacer.lingerMs({ events: 5000, writerStartMs: 0 }, 500, 0), 0);
  });

  it('waits until the writer is expected to be free, less the planning time', () => {
    const pacer = new CommitPacer();
    pacer.committed(2, 1); // fixed cost per commit: 1 ms
    pacer.committed(1000, 21); // then (21 - 1) / 1000 = 0.02 ms per event
    pacer.planned(1000, 2); // 0.002 ms per event planned
    // Started at t=100 with 2000 events: free at 100 + 1 + 40 = 141. Planning 500 events:
    // 1 ms + 1 ms margin, so take it at 139, i.e. wait 29 ms from t=110.
    const wait = pacer.lingerMs({ events: 2000, writerStartMs: 100 }, 500, 110);
    assert.ok(Math.abs(wait - 29) < 1e-9, `waited ${wait}`);
    // A batch still waiting for the lock counts from now.
    assert.ok(
      Math.abs(pacer.lingerMs({ events: 2000, writerStartMs: undefined }, 500, 110) - 39) < 1e-9,
    );
  });

  it('goes at once when the writer is nearly done, and never waits longer than the cap', () => {
    const pacer = new CommitPacer();
    pacer.committed(1000, 1000); // 1 ms per event
    assert.equal(pacer.lingerMs({ events: 10, writerStartMs: 0 }, 1, 9.5), 0);
    assert.equal(pacer.lingerMs({ events: 100_000, writerStartMs: 0 }, 1, 0), 200);
  });
});
