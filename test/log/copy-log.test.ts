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

        await assert.rejects(copyLog(source.store, store), /already holds a log/);
      } finally {
        await dispose();
        await source.close();
      }
    });
  }
});
