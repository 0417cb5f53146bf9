import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { copyLog } from '../../src/log/copy-log.js';
import { openLog } from '../../src/log/open-log.js';
import { ManualClock } from '../../src/util/clock.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { STORES } from '../support/stores.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

describe('copyLog (evident migrate)', () => {
  const dir = tempDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const target of STORES) {
    it(`copies a SQLite log into ${target.name} exactly, and the copy verifies`, async () => {
      const clock = new ManualClock(START_MS);
      const source = await openLog({ dataDir: dir, origin: TEST_ORIGIN, clock });
      if ((await source.store.head())!.size === 0) {
        // Several batches of different sizes, so checkpoints and nodes are spread out.
        for (let i = 0; i < 25; i++) {
          const records = Array.from({ length: 1 + (i % 7) }, (_, k) => ({
            time: '2026-11-22T09:00:00.000Z',
            actor: { id: `u-${i}-${k}` },
            action: 'doc.read',
            outcome: 'success' as const,
          }));
          await source.sequencer.append(records, 'app');
          clock.advance(1000);
        }
      }
      await source.store.insertIngestKey({
        id: `k-${target.name}`,
        source: 'app',
        secretHash: new Uint8Array(32),
        label: null,
        createdAtMs: 1,
        revokedAtMs: null,
      });
      // State documents: one replaced a few times (its version and time must survive), one
      // with unicode text, and enough of them that the copy takes several pages.
      const kind = `copied-${target.name}`;
      assert.ok(await source.store.putState(kind, 'v', '{"n":0}', 0, 10));
      for (let v = 1; v <= 3; v++)
        assert.ok(await source.store.putState(kind, 'v', `{"n":${v}}`, v, 10 + v));
      assert.ok(await source.store.putState(kind, 'ü', '{"name":"Zoë 山田 🔐"}', 0, 20));
      for (let i = 0; i < 1200; i++)
        await source.store.putState(`${kind}-bulk`, `d${String(i).padStart(4, '0')}`, `${i}`, 0, i);
      const { store, dispose } = await target.create();
      try {
        const copied = await copyLog(source.store, store);
        const [a, b] = [(await source.store.head())!, (await store.head())!];
        assert.equal(b.size, a.size);
        assert.equal(copied.entries, a.size);
        assert.equal(b.checkpoint.note, a.checkpoint.note);
        assert.deepEqual(await store.entries(0, a.size), await source.store.entries(0, a.size));
        assert.deepEqual(
          await store.getMeta('verifier_key'),
          await source.store.getMeta('verifier_key'),
        );
        assert.deepEqual(
          (await store.ingestKeys()).map((k) => k.id),
          (await source.store.ingestKeys()).map((k) => k.id),
        );
        const report = await verifyStore(store);
        assert.equal(report.ok, true, JSON.stringify(report.problems));
        assert.equal(report.checkpointsChecked, (await source.store.counts()).checkpoints);

        const allState = async (s: typeof store) => {
          const docs = [];
          for await (const page of s.scanState(1000)) docs.push(...page);
          return docs;
        };
        const sourceState = await allState(source.store);
        assert.ok(sourceState.length >= 1202);
        assert.deepEqual(await allState(store), sourceState);
        assert.equal(copied.stateRows, sourceState.length);
        assert.deepEqual(await store.getState(kind, 'v'), {
          kind,
          id: 'v',
          value: '{"n":3}',
          version: 4,
          updatedAtMs: 13,
        });
        assert.equal(await store.putState(kind, 'v', '{}', 4, 30), true, 'CAS goes on at 4');

        await assert.rejects(copyLog(source.store, store), /already holds a log/);
      } finally {
        await dispose();
        await source.close();
      }
    });

    it(`refuses a ${target.name} target that holds state, before writing anything`, async () => {
      const clock = new ManualClock(START_MS);
      const source = await openLog({ dataDir: dir, origin: TEST_ORIGIN, clock });
      const { store, dispose } = await target.create();
      try {
        assert.ok(await store.putState('account', 'someone', '{}', 0, 1));
        await assert.rejects(
          copyLog(source.store, store),
          /already holds state \(state account someone\)/,
        );
        assert.equal(await store.head(), undefined);
        assert.deepEqual(await store.counts(), {
          entries: 0,
          nodes: 0,
          checkpoints: 0,
          maxSeq: -1,
        });
      } finally {
        await dispose();
        await source.close();
      }
    });
  }
});
