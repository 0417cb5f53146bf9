import { AppError } from '../../errors.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import type { Store } from '../../store/store.js';
import {
  allStats,
  insertStatsIfAbsent,
  replaceStats,
  statsOf,
} from '../../store/tables/sources/source-stats-table.js';
import { emptyStats, type SourceStats } from './source-stats.js';

const MAX_CAS_ATTEMPTS = 8;

export interface Change<R> {
  next: SourceStats;
  result: R;
}

/**
 * Per-source statistics, one row per source in `source_stats`. The observer and the silence
 * check (possibly in several server processes) both change them; `change` re-reads and
 * retries on the row's version.
 */
export class SourceStatsStore {
  private readonly q: QueryRunner;

  constructor(store: Pick<Store, 'state'>) {
    this.q = store.state;
  }

  async get(source: string): Promise<SourceStats | undefined> {
    return (await statsOf(this.q, source))?.stats;
  }

  all(): Promise<Map<string, SourceStats>> {
    return allStats(this.q);
  }

  /**
   * Applies `change` to the source's statistics (empty ones if it has none yet) and writes
   * the result, retrying on conflict. `change` may run more than once, so whatever it does
   * besides computing must be idempotent (raising an alert by key is); it returns undefined
   * to write nothing. Resolves with the result of the run that was written.
   */
  async change<R>(
    source: string,
    change: (current: SourceStats, exists: boolean) => Promise<Change<R> | undefined>,
    atMs: number,
  ): Promise<R | undefined> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const current = await statsOf(this.q, source);
      const outcome = await change(current?.stats ?? emptyStats(source), current !== undefined);
      if (outcome === undefined) return undefined;
      const written = current
        ? await replaceStats(this.q, outcome.next, current.version, atMs)
        : await insertStatsIfAbsent(this.q, outcome.next, atMs);
      if (written) return outcome.result;
    }
    throw new AppError(
      'concurrent_change',
      `statistics of source ${source} keep changing; try again`,
    );
  }
}
