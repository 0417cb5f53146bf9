/**
 * SQLite's migration 16 on a log keyed by migration 14: every key row moves under its seq's
 * bucket (seq >> 16) with nothing lost or added, and the trigger that keys a purged entry's
 * new ids writes bucketed rows afterwards.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../../src/store/sqlite/migrations.js';

/** Entries across three buckets, keyed by migration 14 as it ran on a log made before it. */
const ENTRIES = 140_000;

function keyedBeforeBuckets(): Database.Database {
  const db = new Database(':memory:');
  for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= 13)) db.exec(m.sql);
  const insert = db.prepare(
    `INSERT INTO entries (seq, id, source, actor_id, action, target_id, outcome, time_ms, received_at_ms, record, leaf_hash)
     VALUES (?, ?, 'app', ?, 'a.read', ?, 'success', ?, ?, '{}', x'00')`,
  );
  db.transaction(() => {
    for (let seq = 0; seq < ENTRIES; seq++) {
      const target = seq % 4 === 0 ? null : `t-${seq % 11}`;
      insert.run(seq, `id-${seq}`, `u-${seq % 7}`, target, 1_000 + (seq % 13), seq);
    }
  })();
  for (const m of SQLITE_MIGRATIONS.filter((m) => m.version === 14 || m.version === 15))
    db.exec(m.sql);
  return db;
}

const count = (db: Database.Database, sql: string): number =>
  Number((db.prepare(sql).get() as { n: number }).n);

describe('migration 16 on a SQLite log keyed before it', () => {
  it('moves every key row under its bucket, none lost and none added', () => {
    const db = keyedBeforeBuckets();
    const before = {
      actors: count(db, 'SELECT count(*) AS n FROM entry_actor_keys'),
      actorTimes: count(db, 'SELECT count(*) AS n FROM entry_actor_time_keys'),
      targets: count(db, 'SELECT count(*) AS n FROM entry_target_keys'),
    };
    assert.deepEqual(before, { actors: ENTRIES, actorTimes: ENTRIES, targets: ENTRIES * 0.75 });
    db.exec(SQLITE_MIGRATIONS.find((m) => m.version === 16)!.sql);
    // Each row's bucket is its seq's, and each agrees with its entry's columns.
    assert.equal(
      count(
        db,
        `SELECT count(*) AS n FROM entry_actor_keys k JOIN entries e ON e.seq = k.entry_seq
         WHERE k.bucket = e.seq >> 16 AND k.actor = e.actor_id`,
      ),
      before.actors,
    );
    assert.equal(
      count(
        db,
        `SELECT count(*) AS n FROM entry_actor_time_keys k JOIN entries e ON e.seq = k.entry_seq
         WHERE k.bucket = e.seq >> 16 AND k.actor = e.actor_id AND k.time = e.time_ms`,
      ),
      before.actorTimes,
    );
    assert.equal(
      count(
        db,
        `SELECT count(*) AS n FROM entry_target_keys k JOIN entries e ON e.seq = k.entry_seq
         WHERE k.bucket = e.seq >> 16 AND k.target = e.target_id`,
      ),
      before.targets,
    );
    assert.deepEqual(
      db
        .prepare('SELECT DISTINCT bucket FROM entry_target_keys ORDER BY bucket')
        .all()
        .map((r) => (r as { bucket: number }).bucket),
      [0, 1, 2],
    );
  });

  it('keys an entry whose ids a purge replaced under its bucket', () => {
    const db = keyedBeforeBuckets();
    db.exec(SQLITE_MIGRATIONS.find((m) => m.version === 16)!.sql);
    // A purge of seq 70,001 (bucket 1), recorded as migration 13's range, replaces its ids.
    db.prepare(
      "INSERT INTO entries (seq, id, source, actor_id, action, outcome, time_ms, received_at_ms, record, leaf_hash) VALUES (?, 'purge', 'evident', 'ops', 'retention.purge', 'success', 0, 0, '{}', x'00')",
    ).run(ENTRIES);
    db.prepare(
      'INSERT INTO purged_payloads (seq, last_seq, purge_seq, purged_at_ms) VALUES (70001, 70001, ?, 1)',
    ).run(ENTRIES);
    db.prepare(
      "UPDATE entries SET record = '', actor_id = 'digest-a', target_id = 'digest-t' WHERE seq = 70001",
    ).run();
    assert.deepEqual(
      db.prepare("SELECT bucket, entry_seq FROM entry_actor_keys WHERE actor = 'digest-a'").all(),
      [{ bucket: 1, entry_seq: 70_001 }],
    );
    assert.deepEqual(
      db
        .prepare(
          "SELECT bucket, time, entry_seq FROM entry_actor_time_keys WHERE actor = 'digest-a'",
        )
        .all(),
      [{ bucket: 1, time: 1_000 + (70_001 % 13), entry_seq: 70_001 }],
    );
    assert.deepEqual(
      db.prepare("SELECT bucket, entry_seq FROM entry_target_keys WHERE target = 'digest-t'").all(),
      [{ bucket: 1, entry_seq: 70_001 }],
    );
  });
});
