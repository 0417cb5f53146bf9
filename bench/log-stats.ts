/**
 * Reads the server's database beside it (read-only, WAL lets it): how many group commits a
 * scenario made (one signed checkpoint each) and how far the tree grew.
 */
import Database from 'better-sqlite3';

export interface LogCounters {
  commits: number;
  treeSize: number;
}

export function logCounters(databaseFile: string): LogCounters {
  const db = new Database(databaseFile, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare('SELECT count(*) AS commits, coalesce(max(size), 0) AS size FROM checkpoints')
      .get() as { commits: number; size: number };
    return { commits: row.commits, treeSize: row.size };
  } finally {
    db.close();
  }
}

export interface CommitStats {
  commits: number;
  entries: number;
  /** Mean leaves per group commit. */
  entriesPerCommit: number;
}

export function commitStats(before: LogCounters, after: LogCounters): CommitStats {
  const commits = after.commits - before.commits;
  const entries = after.treeSize - before.treeSize;
  return { commits, entries, entriesPerCommit: commits > 0 ? entries / commits : 0 };
}
