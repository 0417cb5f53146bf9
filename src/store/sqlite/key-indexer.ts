import type Database from 'better-sqlite3';

/**
 * Fills the actor and target key tables (migration 14) from entries, off the commit path.
 * One group commit of a few hundred random actors touched a few hundred index pages for a
 * row or two each; a batch of `batchRows` entries, inserted in key order, touches each page
 * once for many rows. The keys and the new `indexed_below` commit in one transaction, so
 * after a crash the tables are exactly as of the last batch and the next batch continues.
 */
export class KeyIndexer {
  private readonly position: Database.Statement;
  private readonly nextSeq: Database.Statement;
  private readonly fill: Database.Transaction<(from: number, below: number) => void>;

  constructor(
    private readonly db: Database.Database,
    /** Entries left unindexed before a commit triggers a batch: bounds the tail searches scan. */
    readonly batchRows: number,
  ) {
    this.position = db.prepare('SELECT indexed_below FROM entry_keys_position');
    this.nextSeq = db.prepare('SELECT coalesce(max(seq), -1) + 1 AS next FROM entries');
    const actors = db.prepare(
      `INSERT INTO entry_actor_keys SELECT actor_id, seq FROM entries
       WHERE seq >= ? AND seq < ? ORDER BY actor_id, seq`,
    );
    const actorTimes = db.prepare(
      `INSERT INTO entry_actor_time_keys SELECT actor_id, time_ms, seq FROM entries
       WHERE seq >= ? AND seq < ? ORDER BY actor_id, time_ms, seq`,
    );
    const targets = db.prepare(
      `INSERT INTO entry_target_keys SELECT target_id, seq FROM entries
       WHERE seq >= ? AND seq < ? AND target_id IS NOT NULL ORDER BY target_id, seq`,
    );
    const advance = db.prepare('UPDATE entry_keys_position SET indexed_below = ?');
    this.fill = db.transaction((from: number, below: number) => {
      actors.run(from, below);
      actorTimes.run(from, below);
      targets.run(from, below);
      advance.run(below);
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
    const rows = below - from;
    if (rows <= 0 || (!all && rows < this.batchRows)) return 0;
    // BEGIN IMMEDIATE: another process's writer may hold the lock; busy_timeout waits for it.
    this.fill.immediate(from, below);
    return rows;
  }
}
