import type Database from 'better-sqlite3';
import { KEY_BUCKET_BITS } from './key-batch.js';

/**
 * Fills the actor and target key tables (migrations 14 and 16) from entries, off the commit
 * path. One group commit of a few hundred random actors touched a few hundred index pages
 * for a row or two each; a batch of `batchRows` entries, inserted in key order, touches each
 * page once for many rows, and only pages of the newest bucket, however large the log. The keys and the new `indexed_below` commit in one transaction, so
 * after a crash the tables are exactly as of the last batch and the next batch continues.
 */
export class KeyIndexer {
  private readonly position: Database.Statement;
  private readonly nextSeq: Database.Statement;
  private readonly fill: Database.Transaction<(all: boolean) => number>;

  constructor(
    private readonly db: Database.Database,
    /** Entries left unindexed before a commit triggers a batch: bounds the tail searches scan. */
    readonly batchRows: number,
  ) {
    this.position = db.prepare('SELECT indexed_below FROM entry_keys_position');
    this.nextSeq = db.prepare('SELECT coalesce(max(seq), -1) + 1 AS next FROM entries');
    const actors = db.prepare(
      `INSERT INTO entry_actor_keys SELECT seq >> ${KEY_BUCKET_BITS}, actor_id, seq FROM entries
       WHERE seq >= ? AND seq < ? ORDER BY 1, 2, 3`,
    );
    const actorTimes = db.prepare(
      `INSERT INTO entry_actor_time_keys SELECT seq >> ${KEY_BUCKET_BITS}, actor_id, time_ms, seq
       FROM entries WHERE seq >= ? AND seq < ? ORDER BY 1, 2, 3, 4`,
    );
    const targets = db.prepare(
      `INSERT INTO entry_target_keys SELECT seq >> ${KEY_BUCKET_BITS}, target_id, seq FROM entries
       WHERE seq >= ? AND seq < ? AND target_id IS NOT NULL ORDER BY 1, 2, 3`,
    );
    const advance = db.prepare('UPDATE entry_keys_position SET indexed_below = ?');
    // The position is read inside the write transaction: another connection's indexer may
    // have moved it since this one last looked.
    this.fill = db.transaction((all: boolean) => {
      const { from, below } = this.lag();
      const rows = below - from;
      if (rows <= 0 || (!all && rows < this.batchRows)) return 0;
      actors.run(from, below);
      actorTimes.run(from, below);
      targets.run(from, below);
      advance.run(below);
      return rows;
    });
  }

  /** Entries committed but not yet in the key tables. */
  lag(): { from: number; below: number } {
    const from = Number((this.position.get() as { indexed_below: number }).indexed_below);
    const below = Number((this.nextSeq.get() as { next: number }).next);
    return { from, below };
  }

  /** Indexes the tail when it has reached `batchRows` (or any tail, when `all`); returns rows indexed. */
  run(all = false): number {
    if (this.db.inTransaction) return 0;
    const { from, below } = this.lag();
    if (below - from <= 0 || (!all && below - from < this.batchRows)) return 0;
    // BEGIN IMMEDIATE: another process's writer may hold the lock; busy_timeout waits for it.
    return this.fill.immediate(all);
  }
}
