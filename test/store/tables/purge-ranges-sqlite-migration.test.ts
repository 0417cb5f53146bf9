/**
 * SQLite's migration 13 on a database made before it: the per-seq purged_payloads rows
 * (one restored) become ranges of one without tripping the restore-only trigger, and the
 * triggers then judge ranges — a payload inside a recorded range may be emptied, one outside
 * may not, and a range must end before its purge event.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../../src/store/sqlite/migrations.js';

function oldDatabase(): Database.Database {
  const db = new Database(':memory:');
  for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= 12)) db.exec(m.sql);
  const insert = db.prepare(
    `INSERT INTO entries (seq, id, source, actor_id, action, outcome, time_ms, received_at_ms, record, leaf_hash)
     VALUES (?, ?, ?, 'u', ?, 'success', 0, 0, ?, x'00')`,
  );
  for (let seq = 0; seq <= 5; seq++) insert.run(seq, `id-${seq}`, 'billing', 'a.b', `{"n":${seq}}`);
  insert.run(6, 'id-6', 'evident', 'retention.purge', '{}');
  db.prepare('INSERT INTO purged_payloads VALUES (1, 6, 10, NULL)').run();
  db.prepare('INSERT INTO purged_payloads VALUES (2, 6, 10, NULL)').run();
  db.prepare('UPDATE purged_payloads SET restored_at_ms = 20 WHERE seq = 2').run();
  return db;
}

const migration13 = SQLITE_MIGRATIONS.find((m) => m.version === 13)!;

describe('migration 13 on a SQLite log made before it', () => {
  it('turns per-seq marks into ranges of one, the restored one included', () => {
    const db = oldDatabase();
    db.exec(migration13.sql);
    assert.deepEqual(
      db.prepare('SELECT seq, last_seq, restored_at_ms FROM purged_payloads').all(),
      [
        { seq: 1, last_seq: 1, restored_at_ms: null },
        { seq: 2, last_seq: 2, restored_at_ms: 20 },
      ],
    );
  });

  it('lets a range mark allow a payload-only update inside it, and nothing outside', () => {
    const db = oldDatabase();
    db.exec(migration13.sql);
    assert.throws(
      () =>
        db
          .prepare(
            'INSERT INTO purged_payloads (seq, last_seq, purge_seq, purged_at_ms) VALUES (3, 6, 6, 30)',
          )
          .run(),
      /retention.purge event/,
    );
    db.prepare(
      'INSERT INTO purged_payloads (seq, last_seq, purge_seq, purged_at_ms) VALUES (3, 4, 6, 30)',
    ).run();
    db.prepare("UPDATE entries SET record = '' WHERE seq IN (3, 4)").run();
    assert.throws(
      () => db.prepare("UPDATE entries SET record = '' WHERE seq = 5").run(),
      /append-only/,
    );
    assert.throws(
      () => db.prepare('UPDATE purged_payloads SET last_seq = 5 WHERE seq = 3').run(),
      /append-only/,
    );
    db.prepare('INSERT INTO restored_payloads VALUES (3, 1)').run();
    assert.throws(() => db.prepare('DELETE FROM restored_payloads').run(), /append-only/);
  });
});
