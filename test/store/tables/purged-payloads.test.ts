import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { leafHash } from '../../../src/core/merkle.js';
import type { NewEntry, Store } from '../../../src/store/store.js';
import {
  PURGED_RECORD,
  purgedIdDigest,
  purgeMark,
  purgeMarks,
  purgePayloads,
  restorePayload,
} from '../../../src/store/tables/retention/purged-payloads-table.js';
import { STORES } from '../../support/stores.js';

const T0 = 1_800_000_000_000;

function record(seq: number): string {
  return JSON.stringify({
    action: 'customer.read',
    actor: { id: `u-${seq}` },
    n: seq,
    target: { id: `c-${seq}` },
  });
}

function entry(seq: number, overrides: Partial<NewEntry> = {}): NewEntry {
  const text = record(seq);
  return {
    seq,
    id: `id-${seq}`,
    source: 'billing',
    leafHash: leafHash(text),
    record: text,
    actorId: `u-${seq}`,
    action: 'customer.read',
    targetType: 'customer',
    targetId: `c-${seq}`,
    outcome: 'success',
    timeMs: T0 + seq,
    receivedAtMs: T0 + seq,
    ...overrides,
  };
}

/** Seqs 0..4 from billing, then the retention.purge event at seq 5. */
async function fill(store: Store): Promise<void> {
  await store.append(async (tx) => {
    const entries = [0, 1, 2, 3, 4].map((s) => entry(s));
    entries.push(entry(5, { source: 'evident', action: 'retention.purge' }));
    await tx.insert({
      entries,
      nodes: [],
      checkpoint: { size: 6, rootHash: new Uint8Array(32), note: 'n\n', createdAtMs: T0 },
    });
  });
}

for (const factory of STORES) {
  describe(`purged payloads (${factory.name})`, () => {
    let store: Store;
    let dispose: () => Promise<void>;
    before(async () => {
      ({ store, dispose } = await factory.create());
      await fill(store);
    });
    after(async () => dispose());

    it('refuses a purge that names no retention.purge event after the entry', async () => {
      for (const purgeSeq of [4, 1, 99]) {
        await assert.rejects(
          store.transaction((tx) => purgePayloads(tx, { purgeSeq, seqs: [0], atMs: T0 })),
          /retention\.purge event/,
        );
      }
      assert.equal((await store.entryBySeq(0))!.record, record(0));
      assert.equal(await purgeMark(store.state, 0), undefined);
    });

    it('empties the payload and digests the personal ids; leaf hash, seq and times stay', async () => {
      const before = (await store.entryBySeq(1))!;
      const n = await store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq: 5, seqs: [1, 2], atMs: T0 + 10 }),
      );
      assert.equal(n, 2);
      const after = (await store.entryBySeq(1))!;
      assert.equal(after.record, PURGED_RECORD);
      assert.deepEqual(after.leafHash, before.leafHash);
      assert.equal(after.receivedAtMs, before.receivedAtMs);
      assert.equal(after.id, before.id);
      const [full] = await collect(store, 1);
      assert.equal(full!.actorId, purgedIdDigest('u-1'));
      assert.equal(full!.targetId, purgedIdDigest('c-1'));
      assert.deepEqual(await purgeMark(store.state, 2), {
        seq: 2,
        purgeSeq: 5,
        purgedAtMs: T0 + 10,
        restoredAtMs: null,
      });
      assert.deepEqual(
        (await purgeMarks(store.state, 0, 6, 10)).map((m) => m.seq),
        [1, 2],
      );
    });

    it('re-applying a purge changes nothing', async () => {
      const n = await store.transaction((tx) =>
        purgePayloads(tx, { purgeSeq: 5, seqs: [1, 2], atMs: T0 + 20 }),
      );
      assert.equal(n, 0);
      assert.equal((await purgeMark(store.state, 1))!.purgedAtMs, T0 + 10);
    });

    it('still refuses every other change to an entry, purged or not, even raw', async () => {
      const updates = [
        (tx: Store['state']) =>
          tx.db.updateTable('entries').set({ record: '{}' }).where('seq', '=', 3),
        (tx: Store['state']) =>
          tx.db.updateTable('entries').set({ record: PURGED_RECORD }).where('seq', '=', 3),
        (tx: Store['state']) =>
          tx.db
            .updateTable('entries')
            .set({ leaf_hash: new Uint8Array(32) })
            .where('seq', '=', 1),
        (tx: Store['state']) =>
          tx.db.updateTable('entries').set({ received_at_ms: 1 }).where('seq', '=', 1),
        (tx: Store['state']) =>
          tx.db.updateTable('entries').set({ record: '{"x":1}' }).where('seq', '=', 0),
        (tx: Store['state']) => tx.db.deleteFrom('entries').where('seq', '=', 1),
        (tx: Store['state']) => tx.db.deleteFrom('purged_payloads').where('seq', '=', 1),
        (tx: Store['state']) =>
          tx.db.updateTable('purged_payloads').set({ purge_seq: 4 }).where('seq', '=', 1),
      ];
      for (const update of updates) {
        await assert.rejects(
          store.transaction((tx) => tx.run(update(tx))),
          /append-only/,
        );
      }
      assert.equal((await store.entryBySeq(3))!.record, record(3));
    });

    it('restores only the payload whose leaf hash is the stored one, once', async () => {
      const put = (seq: number, text: string) =>
        store.transaction((tx) => restorePayload(tx, { seq, record: text, atMs: T0 + 30 }));
      assert.equal(await put(1, record(2)), 'leaf_hash_mismatch');
      assert.equal(await put(3, record(3)), 'not_purged');
      assert.equal(await put(1, record(1)), 'restored');
      assert.equal(await put(1, record(1)), 'already_restored');
      const [full] = await collect(store, 1);
      assert.equal(full!.record, record(1));
      assert.equal(full!.actorId, 'u-1');
      assert.equal(full!.targetId, 'c-1');
      assert.equal((await purgeMark(store.state, 1))!.restoredAtMs, T0 + 30);
      // A restored payload is not purged again by re-applying the purge.
      await store.transaction((tx) => purgePayloads(tx, { purgeSeq: 5, seqs: [1], atMs: T0 + 40 }));
      assert.equal((await store.entryBySeq(1))!.record, record(1));
    });
  });
}

async function collect(store: Store, seq: number): Promise<NewEntry[]> {
  for await (const page of store.scanEntries(seq, 1)) return page;
  return [];
}
