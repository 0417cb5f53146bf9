import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { appendEntries, checkpoint, entry, hash } from '../support/store-rows.js';
import { tempDir } from '../support/test-server.js';

/**
 * Store.appendIfHead, which only SQLite implements (PostgreSQL checks the head inside
 * `append`): BEGIN, the head check, the rows and COMMIT in one message to the writer thread,
 * posted without waiting for the batch ahead.
 */
describe('SqliteStore.appendIfHead: a planned batch in one message to the writer', () => {
  let dir: string;
  let store: SqliteStore;
  /** The head a batch ending at `size` leaves: what the next batch is planned on. */
  const planned = (size: number) => ({
    size,
    rootHash: checkpoint(size).rootHash,
    note: checkpoint(size).note,
  });
  const batch = (from: number, to: number) => ({
    entries: Array.from({ length: to - from }, (_, i) => entry(from + i)),
    nodes: [],
    checkpoint: checkpoint(to),
  });

  before(async () => {
    dir = tempDir();
    store = SqliteStore.open(join(dir, 'evident.db'));
    await appendEntries(store, 0, 4);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends a batch planned on the committed head, durably, as one append', async () => {
    assert.equal(await store.appendIfHead!(planned(4), batch(4, 6)), true);
    const head = (await store.head())!;
    assert.equal(head.size, 6);
    assert.equal(head.checkpoint.note, 'note 6\n');
    assert.equal((await store.entryBySeq(5))!.id, 'id-000005');
  });

  it('writes nothing when the head is not the one planned on: another size, root or note', async () => {
    const moved = [
      planned(4),
      { ...planned(6), rootHash: hash(7) },
      { ...planned(6), note: 'note 6 of a rotated key\n' },
    ];
    for (const expected of moved) {
      assert.equal(await store.appendIfHead!(expected, batch(6, 7)), false);
    }
    assert.equal((await store.head())!.size, 6);
    assert.equal(await store.entryBySeq(6), undefined);
  });

  it('takes batches handed over without waiting in order: each planned on the one before', async () => {
    // What the sequencer does under load: the next batch goes before the one ahead commits.
    const results = await Promise.all([
      store.appendIfHead!(planned(6), batch(6, 8)),
      store.appendIfHead!(planned(8), batch(8, 9)),
      store.append(async (tx) => (await tx.head())!.size),
      store.appendIfHead!(planned(9), batch(9, 12)),
    ]);
    assert.deepEqual(results, [true, true, 9, true]);
    assert.equal((await store.head())!.size, 12);
  });

  it('writes nothing of a batch behind one whose head had moved', async () => {
    const results = await Promise.all([
      store.appendIfHead!(planned(10), batch(12, 13)),
      store.appendIfHead!(planned(13), batch(13, 14)),
    ]);
    assert.deepEqual(results, [false, false]);
    assert.equal((await store.head())!.size, 12);
  });

  it('rolls back a batch that fails and leaves the store usable', async () => {
    const clash = { ...batch(12, 14), entries: [entry(12), entry(13, { id: 'id-000000' })] };
    await assert.rejects(store.appendIfHead!(planned(12), clash));
    assert.equal((await store.head())!.size, 12);
    assert.equal(await store.entryBySeq(12), undefined);
    assert.equal(await store.appendIfHead!(planned(12), batch(12, 13)), true);
    await appendEntries(store, 13, 14);
    assert.equal((await store.head())!.size, 14);
  });
});
