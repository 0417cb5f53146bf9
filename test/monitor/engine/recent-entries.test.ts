import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CommittedEntry } from '../../../src/log/sequencer.js';
import { observeRecord } from '../../../src/monitor/engine/observed-entry.js';
import { RecentEntries } from '../../../src/monitor/engine/recent-entries.js';
import type { Store } from '../../../src/store/store.js';
import { mulberry32 } from '../../support/prng.js';
import { STORES } from '../../support/stores.js';
import { drain, monitorLog, RecordingSink } from './support.js';

const committed = (seq: number): CommittedEntry => ({
  seq,
  source: 'app',
  record: JSON.stringify({ id: `E${seq}` }),
  timeMs: seq,
  receivedAtMs: seq,
});

describe('recent entries (sequencer hand-off)', () => {
  it('serves a contiguous range only when it holds all of it', () => {
    const recent = new RecentEntries(5);
    recent.add([10, 11, 12].map(committed));
    assert.deepEqual(
      recent.rows(10, 13)?.map((e) => e.seq),
      [10, 11, 12],
    );
    assert.equal(recent.rows(9, 12), undefined);
    assert.equal(recent.rows(11, 14), undefined);
    // A gap starts over; capacity drops the oldest.
    recent.add([20, 21, 22, 23, 24, 25].map(committed));
    assert.equal(recent.rows(12, 13), undefined);
    assert.deepEqual(
      recent.rows(21, 26)?.map((e) => e.seq),
      [21, 22, 23, 24, 25],
    );
    assert.equal(recent.rows(20, 21), undefined);
    recent.dropBefore(24);
    assert.equal(recent.rows(23, 24), undefined);
    assert.deepEqual(
      recent.rows(24, 26)?.map((e) => e.seq),
      [24, 25],
    );
  });

  it('agrees with a plain list over seeded adds, gaps, drops and takes across the ring end', () => {
    const random = mulberry32(12);
    const capacity = 7;
    const recent = new RecentEntries(capacity);
    let held: number[] = [];
    let next = 0;
    for (let step = 0; step < 2_000; step++) {
      const roll = random();
      if (roll < 0.45) {
        if (random() < 0.1) {
          next += 3; // a gap: what was held is forgotten
          held = [];
        }
        const seqs = Array.from({ length: 1 + Math.floor(random() * 4) }, () => next++);
        recent.add(seqs.map(committed));
        held = [...held, ...seqs].slice(-capacity);
      } else if (roll < 0.6) {
        const seq = next - Math.floor(random() * (capacity + 2));
        recent.dropBefore(seq);
        held = held.filter((s) => s >= seq);
      } else {
        const from = next - Math.floor(random() * (capacity + 3));
        const to = from + Math.floor(random() * 4);
        const whole = from >= (held[0] ?? next) && to <= next && (to === from || held.length > 0);
        const expected = whole ? held.filter((s) => s >= from && s < to) : undefined;
        assert.deepEqual(
          recent.rows(from, to)?.map((e) => e.seq),
          expected,
          `step ${step}: rows(${from}, ${to}) with ${held.join(',')} held`,
        );
      }
    }
  });

  for (const factory of STORES) {
    it(`hands over exactly what the store holds, and the engine uses it (${factory.name})`, async () => {
      const log = await monitorLog(factory);
      try {
        const handed: CommittedEntry[] = [];
        const stop = log.sequencer.onCommitted((entries) => handed.push(...entries));
        await log.setRules(`rules:
  - id: refunds
    title: Refunds
    severity: low
    match: { action: invoice.refund, details.amount: { gte: 100 } }
`);
        const recent = new RecentEntries();
        log.sequencer.onCommitted((entries) => recent.add(entries));
        const sink = new RecordingSink();
        let reads = 0;
        const counting: Store = Object.create(log.store, {
          entries: {
            value: (start: number, end: number) => {
              reads += 1;
              return log.store.entries(start, end);
            },
          },
        });
        const engine = log.engine({ sink, store: counting, recent });
        await engine.step();
        const seqs = await log.append([
          {
            action: 'invoice.refund',
            actor: { id: 'u-1', type: 'user', name: 'Ada', ip: '10.0.0.1', session: 's-1' },
            target: { type: 'invoice', id: 'inv-1', sensitivity: 'confidential' },
            details: { amount: 250, lines: [1, 2], note: 'ünïcode ✓', nested: { a: null } },
            request: { id: 'r-1', method: 'POST', path: '/refunds', status: 201 },
            category: 'data',
            severity: 'medium',
            reason: 'ticket 7',
            trace_id: 'abc',
            tenant: 't1',
          },
          { action: 'invoice.refund', details: { amount: 5 } },
        ]);
        // Time running backwards: the sequencer raises received_at; the hand-off must agree.
        log.clock.advance(-60_000);
        seqs.push(...(await log.append([{ action: 'invoice.refund', details: { amount: 100 } }])));
        stop();

        const stored = (await log.store.entries(seqs[0]!, seqs[2]! + 1)).map((e) =>
          observeRecord(e.seq, e.source, JSON.parse(e.record)),
        );
        const mine = handed.filter((h) => seqs.includes(h.seq));
        assert.equal(mine.length, 3);
        for (const [i, h] of mine.entries()) {
          const record = JSON.parse(h.record);
          assert.deepEqual(
            {
              seq: h.seq,
              source: h.source,
              record,
              timeMs: h.timeMs,
              receivedAtMs: h.receivedAtMs,
              historical: record.historical === true,
            },
            stored[i]!,
          );
        }

        reads = 0;
        await drain(engine);
        assert.equal(reads, 0, 'the engine read entries it was handed');
        assert.deepEqual(
          [...sink.created.values()].map((a) => a.seqs),
          [[seqs[0]], [seqs[2]]],
        );
      } finally {
        await log.dispose();
      }
    });
  }
});
