import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewEntry, Store } from '../../src/store/store.js';
import { STORES } from '../support/stores.js';

/** Store conformance for facet counts (both adapters): scope, filters, top-N, the scan limit. */
const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-01T00:00:00Z');

interface Spec {
  source: string;
  actor: string;
  action: string;
  outcome: 'success' | 'failure';
  /** Event time, hours after T0. */
  hour: number;
}

const SPECS: Spec[] = [
  { source: 'billing-api', actor: 'u-1', action: 'invoice.read', outcome: 'success', hour: 0 },
  { source: 'billing-api', actor: 'u-1', action: 'invoice.read', outcome: 'success', hour: 0 },
  { source: 'billing-api', actor: 'u-2', action: 'invoice.update', outcome: 'failure', hour: 1 },
  { source: 'billing-worker', actor: 'u-3', action: 'invoice.read', outcome: 'success', hour: 1 },
  { source: 'hr-api', actor: 'u-9', action: 'employee.read', outcome: 'success', hour: 2 },
  { source: 'hr-api', actor: 'u-9', action: 'employee.read', outcome: 'failure', hour: 5 },
];

function entry(seq: number, s: Spec): NewEntry {
  const timeMs = T0 + s.hour * HOUR + 60_000;
  const record = {
    action: s.action,
    actor: { id: s.actor },
    id: `id-${seq}`,
    outcome: s.outcome,
    source: s.source,
    time: new Date(timeMs).toISOString(),
  };
  return {
    seq,
    id: `id-${seq}`,
    source: s.source,
    leafHash: new Uint8Array(32).fill(seq),
    record: JSON.stringify(record),
    actorId: s.actor,
    action: s.action,
    targetType: null,
    targetId: null,
    outcome: s.outcome,
    timeMs,
    receivedAtMs: T0 + 10 * HOUR + seq,
  };
}

for (const factory of STORES) {
  describe(`Store facet counts: ${factory.name}`, () => {
    let store: Store;
    let dispose: () => Promise<void>;

    before(async () => {
      ({ store, dispose } = await factory.create());
      await store.append(async (tx) => {
        await tx.insert({
          entries: SPECS.map((s, i) => entry(i, s)),
          nodes: [],
          checkpoint: {
            size: SPECS.length,
            rootHash: new Uint8Array(32),
            note: 'n\n',
            createdAtMs: 0,
          },
        });
      });
    });
    after(async () => dispose());

    it('counts every facet over all matches, commonest first', async () => {
      const counts = await store.searchFacets({ limit: 100 }, { top: 10 });
      assert.equal(counts.scanned, 6);
      assert.deepEqual(counts.facets.source, [
        { value: 'billing-api', count: 3 },
        { value: 'hr-api', count: 2 },
        { value: 'billing-worker', count: 1 },
      ]);
      assert.deepEqual(counts.facets.outcome, [
        { value: 'success', count: 4 },
        { value: 'failure', count: 2 },
      ]);
      assert.deepEqual(counts.facets.actor[0], { value: 'u-1', count: 2 });
      assert.deepEqual(counts.buckets, []);
    });

    it('never counts a source outside the scope, in any facet', async () => {
      const counts = await store.searchFacets(
        { limit: 100, sources: { exact: [], prefixes: ['billing-'] } },
        { top: 10 },
      );
      assert.equal(counts.scanned, 4);
      const values = Object.values(counts.facets).flatMap((list) => list.map((v) => v.value));
      assert.ok(
        !values.includes('hr-api') && !values.includes('u-9') && !values.includes('employee.read'),
      );
      assert.deepEqual(
        counts.facets.source.map((v) => v.value),
        ['billing-api', 'billing-worker'],
      );
    });

    it('applies the filters and keeps the top values per facet', async () => {
      const counts = await store.searchFacets({ limit: 100, action: 'invoice.read' }, { top: 1 });
      assert.equal(counts.scanned, 3);
      assert.deepEqual(counts.facets.source, [{ value: 'billing-api', count: 2 }]);
      assert.deepEqual(counts.facets.actor, [{ value: 'u-1', count: 2 }]);
    });

    it('counts only the newest `limit` matches', async () => {
      const counts = await store.searchFacets({ limit: 2 }, { top: 10 });
      assert.equal(counts.scanned, 2);
      assert.deepEqual(counts.facets.source, [{ value: 'hr-api', count: 2 }]);
    });

    it('buckets activity by event time', async () => {
      const counts = await store.searchFacets({ limit: 100 }, { top: 10, bucketMs: HOUR });
      assert.deepEqual(counts.buckets, [
        { startMs: T0, count: 2 },
        { startMs: T0 + HOUR, count: 2 },
        { startMs: T0 + 2 * HOUR, count: 1 },
        { startMs: T0 + 5 * HOUR, count: 1 },
      ]);
    });

    it('counts nothing when nothing matches', async () => {
      const counts = await store.searchFacets({ limit: 100, actor: 'nobody' }, { top: 10 });
      assert.equal(counts.scanned, 0);
      assert.deepEqual(counts.facets, { source: [], action: [], outcome: [], actor: [] });
    });
  });
}
