import type Database from 'better-sqlite3';

/** Statements kept at most. */
export const MAX_CACHED_STATEMENTS = 200;
/**
 * Characters of SQL kept over all cached statements. A prepared statement's program grows
 * with its text, about 28 bytes of SQLite's heap per character (a 1,000-row INSERT of three
 * columns: ~290 KB), so this bounds the cache near 3 MB.
 */
export const MAX_CACHED_SQL_CHARS = 100_000;
/** A longer text is prepared, run and dropped: a multi-row INSERT or a long IN list. */
export const MAX_CACHED_SQL_LENGTH = 4_000;

/**
 * Prepared statements by SQL text, for queries built at run time (src/store/sql/, searches):
 * the same texts run again and again, and preparing one costs more than running it. Bounded,
 * because some texts are made from the data: a multi-row INSERT of n rows, an IN list of n
 * keys. Each n is a text of its own that stays prepared as long as it is kept: unbounded, a
 * server raising alerts in batches of many sizes kept one statement per size, up to a MB each,
 * for the life of the process. Long texts are not kept; of the rest, the least recently used
 * go first.
 */
export class StatementCache {
  private readonly statements = new Map<string, Database.Statement>();
  private chars = 0;

  constructor(private readonly db: Database.Database) {}

  get(sql: string): Database.Statement {
    const cached = this.statements.get(sql);
    if (cached) {
      // A Map iterates in insertion order: re-inserting makes it the most recently used.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.db.prepare(sql);
    if (sql.length > MAX_CACHED_SQL_LENGTH) return statement;
    this.statements.set(sql, statement);
    this.chars += sql.length;
    for (const [text] of this.statements) {
      if (this.statements.size <= MAX_CACHED_STATEMENTS && this.chars <= MAX_CACHED_SQL_CHARS)
        break;
      // Dropped statements are finalized when collected.
      this.statements.delete(text);
      this.chars -= text.length;
    }
    return statement;
  }

  /** Statements kept now, and the characters of their texts. */
  get stats(): { statements: number; chars: number } {
    return { statements: this.statements.size, chars: this.chars };
  }
}
