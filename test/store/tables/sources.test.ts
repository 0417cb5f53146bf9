import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SourceRecord } from '../../../src/monitor/sources/source-registry.js';
import { emptyStats, type SourceStats } from '../../../src/monitor/sources/source-stats.js';
import type { Store } from '../../../src/store/store.js';
import {
  allStats,
  insertStatsIfAbsent,
  replaceStats,
  statsOf,
} from '../../../src/store/tables/sources/source-stats-table.js';
import {
  allSources,
  insertSourceIfAbsent,
  replaceSource,
  sourceByName,
} from '../../../src/store/tables/sources/sources-table.js';
import { STORES } from '../../support/stores.js';

const T0 = 1_800_000_000_000;

function source(name: string, overrides: Partial<SourceRecord> = {}): SourceRecord {
  return {
    name,
    origin: 'seen',
    description: null,
    createdAtMs: T0,
    createdBy: 'source-health',
    updatedAtMs: T0,
    updatedBy: 'source-health',
    ...overrides,
  };
}

for (const factory of STORES) {
  describe(`source tables (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await factory.create());
    });
    after(async () => dispose());

    it('registers a name once: the second insert is refused by the key, not by code', async () => {
      assert.equal(await insertSourceIfAbsent(store.state, source('billing-api')), true);
      const other = source('billing-api', { origin: 'ingest_key', createdBy: 'ingest_key:k' });
      assert.equal(await insertSourceIfAbsent(store.state, other), false);
      assert.equal((await sourceByName(store.state, 'billing-api'))?.record.origin, 'seen');
    });

    it('keeps the three silence settings apart: default, off and a duration', async () => {
      await insertSourceIfAbsent(store.state, source('a-default'));
      await insertSourceIfAbsent(store.state, source('b-off', { maxSilenceMs: null }));
      const custom = source('c-custom', { maxSilenceMs: 900_000, description: 'Zoë 山田' });
      await insertSourceIfAbsent(store.state, custom);
      const all = await allSources(store.state);
      const byName = new Map(all.map((r) => [r.name, r]));
      assert.equal('maxSilenceMs' in byName.get('a-default')!, false);
      assert.equal(byName.get('b-off')!.maxSilenceMs, null);
      assert.deepEqual(byName.get('c-custom'), custom);
      assert.deepEqual(
        all.map((r) => r.name),
        ['a-default', 'b-off', 'billing-api', 'c-custom'],
      );
    });

    it('replaces a source by version', async () => {
      const current = (await sourceByName(store.state, 'a-default'))!;
      const declared = {
        ...current.record,
        origin: 'declared' as const,
        maxSilenceMs: 60_000,
        updatedBy: 'u-1',
      };
      assert.equal(await replaceSource(store.state, declared, current.version), true);
      assert.equal(await replaceSource(store.state, current.record, current.version), false);
      assert.deepEqual(await sourceByName(store.state, 'a-default'), {
        record: declared,
        version: current.version + 1,
      });
    });

    it('keeps statistics per source, with the silence mark, by version', async () => {
      const stats: SourceStats = {
        ...emptyStats('billing-api'),
        firstSeq: 3,
        lastSeq: 9,
        lastReceivedAtMs: T0 + 9,
        lastTimeMs: T0 + 8,
        total: 7,
        minutes: [[30_000_000, 7]],
        hours: [[500_000, 7]],
        skewAlertHour: 500_000,
      };
      assert.equal(await insertStatsIfAbsent(store.state, stats, T0), true);
      assert.equal(await insertStatsIfAbsent(store.state, stats, T0), false);
      assert.deepEqual(await statsOf(store.state, 'billing-api'), { stats, version: 1 });
      const silent: SourceStats = {
        ...stats,
        silence: { sinceMs: T0 + 9, lastSeq: 9, detectedAtMs: T0 + 99, alertId: null },
      };
      assert.equal(await replaceStats(store.state, silent, 1, T0 + 99), true);
      assert.equal(await replaceStats(store.state, stats, 1, T0 + 100), false);
      assert.deepEqual((await allStats(store.state)).get('billing-api'), silent);
    });
  });
}
