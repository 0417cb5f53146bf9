/**
 * verifyStore checks pages of entries ahead, on worker threads, and folds them into the tree
 * in order. Whatever thread finishes first, the problem it reports must be the first one the
 * sequential order of checks meets (entry present → record → columns → nodes it completes →
 * checkpoint), exactly as checking on this thread reports it.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Database from 'better-sqlite3';
import { canonicalize } from '../../src/core/canonical-json.js';
import { leafHash, MerkleFrontier } from '../../src/core/merkle.js';
import { validateSubmittedRecord } from '../../src/core/record/validate.js';
import { openLog } from '../../src/log/open-log.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { ManualClock } from '../../src/util/clock.js';
import type { VerifyReport } from '../../src/verify/report.js';
import { verifyStore } from '../../src/verify/verify-store.js';
import { sampleEvent } from '../support/http.js';
import { checkpointWal, tamperedCopy } from '../support/processes.js';
import { START_MS, TEST_ORIGIN, tempDir } from '../support/test-server.js';

const ENTRIES = 600;
/** Batches of 37: checkpoints fall inside pages as well as on their edges. */
const BATCH = 37;
const PAGE = 50;

describe('verifyStore with worker threads', () => {
  let dir: string;
  const scratch: string[] = [];

  before(async () => {
    dir = tempDir();
    const clock = new ManualClock(START_MS);
    const log = await openLog({ dataDir: dir, origin: TEST_ORIGIN, clock });
    try {
      for (let n = 0; n < ENTRIES; n += BATCH) {
        const events = Array.from({ length: Math.min(BATCH, ENTRIES - n) }, (_, i) =>
          validateSubmittedRecord(sampleEvent(n + i), '$', { boundSource: 'billing-api' }),
        );
        await log.sequencer.append(events, 'billing-api');
        clock.advance(1000);
      }
    } finally {
      await log.close();
    }
    checkpointWal(dir);
  });

  after(() => {
    for (const d of [dir, ...scratch]) if (d) rmSync(d, { recursive: true, force: true });
  });

  const tampered = (mutate: (db: Database.Database) => void): string => {
    const copy = tamperedCopy(dir, mutate);
    scratch.push(copy);
    return copy;
  };

  /** Verifies `folder` on two worker threads and on this thread: the reports must be equal. */
  const verifyBothWays = async (folder: string): Promise<VerifyReport> => {
    const store = SqliteStore.open(join(folder, 'evident.db'), { readonly: true });
    try {
      const inline = await verifyStore(store, { pageSize: PAGE, threads: 0 });
      const parallel = await verifyStore(store, {
        location: { dataDir: folder },
        threads: 2,
        pageSize: PAGE,
      });
      assert.deepEqual(parallel, inline);
      return parallel;
    } finally {
      await store.close();
    }
  };

  const firstProblem = (report: VerifyReport) => {
    assert.equal(report.ok, false);
    const { kind, seq } = report.problems[0]!;
    return { kind, seq };
  };

  /** The record of `seq` with its actor renamed, canonical, with its leaf hash. */
  const forged = (db: Database.Database, seq: number) => {
    const text = db.prepare('SELECT record FROM entries WHERE seq = ?').pluck().get(seq) as string;
    const record = JSON.parse(text) as { actor: { id: string } };
    record.actor.id = 'mallory';
    const changed = canonicalize(record);
    return { record: changed, leaf: leafHash(changed) };
  };
  const setRecord = (db: Database.Database, seq: number) =>
    db.prepare('UPDATE entries SET record = ? WHERE seq = ?').run(forged(db, seq).record, seq);
  const setActorColumn = (db: Database.Database, seq: number) =>
    db.prepare("UPDATE entries SET actor_id = 'someone-else' WHERE seq = ?").run(seq);
  const setNode = (db: Database.Database, level: number, index: number) =>
    db
      .prepare('UPDATE tree_nodes SET hash = ? WHERE level = ? AND idx = ?')
      .run(Buffer.alloc(32, 7), level, index);

  it('the untouched log verifies, with the same counts as on one thread', async () => {
    const report = await verifyBothWays(dir);
    assert.equal(report.ok, true);
    assert.equal(report.entriesChecked, ENTRIES);
    assert.equal(report.nodesChecked, ENTRIES - 4); // 600 = 512 + 64 + 16 + 8: n − popcount(n)
  });

  it('problems in two pages: the earlier page is named, however the threads finish', async () => {
    const copy = tampered((db) => {
      setRecord(db, 430); // page 8: leaf_mismatch
      setActorColumn(db, 130); // page 2: record_invalid
    });
    assert.deepEqual(firstProblem(await verifyBothWays(copy)), {
      kind: 'record_invalid',
      seq: 130,
    });
  });

  it('a tree node in an early page is named before a record in a later one', async () => {
    const copy = tampered((db) => {
      setRecord(db, 301);
      setNode(db, 2, 10); // leaves 40…43
    });
    assert.deepEqual(firstProblem(await verifyBothWays(copy)), {
      kind: 'node_mismatch',
      seq: 40,
    });
  });

  it('within a page: a node completed before a failing record is named first', async () => {
    const copy = tampered((db) => {
      setNode(db, 2, 10); // leaves 40…43, page 0
      setActorColumn(db, 45); // page 0 too
    });
    assert.deepEqual(firstProblem(await verifyBothWays(copy)), {
      kind: 'node_mismatch',
      seq: 40,
    });
  });

  it('within a page: a record is checked before the node its leaf completes', async () => {
    const copy = tampered((db) => {
      setNode(db, 1, 70); // leaves 140, 141: completed by appending 141
      setActorColumn(db, 141);
    });
    assert.deepEqual(firstProblem(await verifyBothWays(copy)), {
      kind: 'record_invalid',
      seq: 141,
    });
  });

  it('a record whose leaf was forged too is caught by the node above it, before a later gap', async () => {
    const copy = tampered((db) => {
      const { record, leaf } = forged(db, 77);
      db.prepare(
        "UPDATE entries SET record = ?, leaf_hash = ?, actor_id = 'mallory' WHERE seq = ?",
      ).run(record, leaf, 77);
      db.prepare('DELETE FROM entries WHERE seq = ?').run(250);
    });
    assert.deepEqual(firstProblem(await verifyBothWays(copy)), {
      kind: 'node_mismatch',
      seq: 76,
    });
  });

  it('a node straddling two pages is compared in order, before a later record', async () => {
    const copy = tampered((db) => {
      setNode(db, 3, 6); // leaves 48…55: pages 0 and 1 (PAGE 50)
      setActorColumn(db, 60);
    });
    assert.deepEqual(firstProblem(await verifyBothWays(copy)), {
      kind: 'node_mismatch',
      seq: 48,
    });
  });

  it('a missing node is named at its first leaf, inside a page and across pages', async () => {
    const deleteNode = (level: number, index: number) =>
      tampered((db) =>
        db.prepare('DELETE FROM tree_nodes WHERE level = ? AND idx = ?').run(level, index),
      );
    const inside = await verifyBothWays(deleteNode(2, 30)); // leaves 120…123
    assert.deepEqual(firstProblem(inside), { kind: 'node_missing', seq: 120 });
    assert.match(inside.problems[0]!.message, /level 2 index 30\b/);
    const across = await verifyBothWays(deleteNode(4, 6)); // leaves 96…111, pages 1 and 2
    assert.deepEqual(firstProblem(across), { kind: 'node_missing', seq: 96 });
  });

  /** Record, leaf and every tree node rewritten from `seq` on: only the checkpoints are left. */
  const rewriteHistory = (db: Database.Database, seq: number) => {
    const { record, leaf } = forged(db, seq);
    db.prepare(
      "UPDATE entries SET record = ?, leaf_hash = ?, actor_id = 'mallory' WHERE seq = ?",
    ).run(record, leaf, seq);
    const leaves = db.prepare('SELECT leaf_hash FROM entries ORDER BY seq').pluck().all();
    const frontier = MerkleFrontier.empty();
    const update = db.prepare('UPDATE tree_nodes SET hash = ? WHERE level = ? AND idx = ?');
    for (const hash of leaves as Buffer[]) {
      for (const n of frontier.append(hash)) update.run(n.hash, n.level, n.index);
    }
  };

  it('a rewritten history is caught by the checkpoint inside its page, at that size', async () => {
    // Batches of 37: checkpoints at 111 and 148, both inside page 2 ([100, 150)).
    const report = await verifyBothWays(tampered((db) => rewriteHistory(db, 112)));
    assert.deepEqual(firstProblem(report), { kind: 'checkpoint_mismatch', seq: 147 });
    assert.match(report.problems[0]!.message, /tree size 148\b/);
    assert.equal(report.entriesChecked, 148);
  });

  it('a forged checkpoint is named before any entry, though signatures are checked alongside them', async () => {
    const copy = tampered((db) => {
      setActorColumn(db, 30);
      const note = db.prepare('SELECT note FROM checkpoints WHERE size = 444').pluck().get();
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = 444').run(
        (note as string).replace('\n444\n', '\n445\n'),
      );
    });
    const report = await verifyBothWays(copy);
    assert.equal(firstProblem(report).kind, 'checkpoint_invalid');
    assert.match(report.problems[0]!.message, /tree size 444\b/);
    assert.equal(report.checkpointsChecked, 12); // 0, 37, 74, … 407 passed
    assert.equal(report.entriesChecked, 0);
  });

  /** Stores `text` as the record of `seq`, with the leaf hash that text really has. */
  const setRecordAndLeaf = (db: Database.Database, seq: number, text: string) =>
    db
      .prepare('UPDATE entries SET record = ?, leaf_hash = ? WHERE seq = ?')
      .run(text, leafHash(text), seq);
  const recordOf = (db: Database.Database, seq: number) =>
    db.prepare('SELECT record FROM entries WHERE seq = ?').pluck().get(seq) as string;

  it('a record with its true hash but not in canonical form is named, not hashed and passed', async () => {
    for (const rewrite of [
      (text: string) => text.replace('"action":', '"action": '),
      (text: string) => text.replace('{"action"', '{"outcome":"success","action"'),
      (text: string) => text.replace('"u-', '"\\u0075-'),
    ]) {
      const copy = tampered((db) => {
        const text = recordOf(db, 212);
        assert.notEqual(rewrite(text), text, text);
        setRecordAndLeaf(db, 212, rewrite(text));
      });
      assert.deepEqual(firstProblem(await verifyBothWays(copy)), {
        kind: 'record_invalid',
        seq: 212,
      });
    }
  });

  it('a canonical record that is not an event record is named, not a crash', async () => {
    for (const text of ['"x"', '[]', '{}', '{"actor":7}']) {
      const copy = tampered((db) => setRecordAndLeaf(db, 33, text));
      const report = await verifyBothWays(copy);
      assert.deepEqual(firstProblem(report), { kind: 'record_invalid', seq: 33 });
      assert.match(report.problems[0]!.message, /canonical|column id/);
    }
  });

  it('every indexed column that disagrees with its record is named', async () => {
    for (const [column, value] of [
      ['id', "'other-id'"],
      ['source', "'other-source'"],
      ['action', "'other.action'"],
      ['outcome', "'failure'"],
      ['target_type', "'other'"],
      ['target_id', 'NULL'],
      ['time_ms', 'time_ms + 1'],
      ['received_at_ms', 'received_at_ms - 1'],
    ] as const) {
      // Entry 100 has a target (100 % 3 !== 0).
      const copy = tampered((db) =>
        db.prepare(`UPDATE entries SET ${column} = ${value} WHERE seq = 100`).run(),
      );
      const report = await verifyBothWays(copy);
      assert.deepEqual(firstProblem(report), { kind: 'record_invalid', seq: 100 }, column);
      assert.match(report.problems[0]!.message, new RegExp(`column ${column.replace('_ms', '')} `));
    }
  });

  it('a deleted row, and a truncated log, are named at their seq', async () => {
    const gap = tampered((db) => db.prepare('DELETE FROM entries WHERE seq = ?').run(399));
    assert.deepEqual(firstProblem(await verifyBothWays(gap)), { kind: 'entry_missing', seq: 399 });
    const cut = tampered((db) => db.prepare('DELETE FROM entries WHERE seq >= ?').run(575));
    const report = await verifyBothWays(cut);
    assert.deepEqual(firstProblem(report), { kind: 'entry_missing', seq: 575 });
    assert.match(report.problems[0]!.message, /truncated/);
  });

  it('a purged entry whose stored leaf hash is not 32 bytes is named, not a crash', async () => {
    for (const bytes of [33, 31]) {
      // The last entry of the log: a longer hash there once overran the page's leaf buffer.
      const last = tampered((db) =>
        db
          .prepare("UPDATE entries SET record = '', leaf_hash = ? WHERE seq = ?")
          .run(Buffer.alloc(bytes, 5), 599),
      );
      const report = await verifyBothWays(last);
      assert.deepEqual(firstProblem(report), { kind: 'leaf_mismatch', seq: 599 }, `${bytes} bytes`);
      assert.match(report.problems[0]!.message, new RegExp(`${bytes} bytes`));
    }
  });

  it('a worker that cannot open the store fails the verification instead of hanging', async () => {
    const store = SqliteStore.open(join(dir, 'evident.db'), { readonly: true });
    try {
      await assert.rejects(
        verifyStore(store, { location: { dataDir: join(dir, 'nowhere') }, threads: 2 }),
        /no Evident database/,
      );
    } finally {
      await store.close();
    }
  });
});
