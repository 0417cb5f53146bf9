import { AppError } from '../../errors.js';
import { StateCollection } from '../../store/state-collection.js';
import type { Store } from '../../store/store.js';
import { emptyStats, SOURCE_STATS_KIND, type SourceStats } from './source-stats.js';

const MAX_CAS_ATTEMPTS = 8;

export interface Change<R> {
  next: SourceStats;
  result: R;
}

/**
 * Per-source statistics as compare-and-set documents. The observer and the silence check
 * (possibly in several server processes) both change them; `change` re-reads and retries.
 */
export class StatsDocuments {
  readonly docs: StateCollection<SourceStats>;

  constructor(store: Store) {
    this.docs = new StateCollection(store, SOURCE_STATS_KIND);
  }

  async get(source: string): Promise<SourceStats | undefined> {
    return (await this.docs.get(source))?.value;
  }

  async all(): Promise<Map<string, SourceStats>> {
    return new Map((await this.docs.all()).map((d) => [d.id, d.value]));
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
      const current = await this.docs.get(source);
      const outcome = await change(current?.value ?? emptyStats(source), current !== undefined);
      if (outcome === undefined) return undefined;
      const written = current
        ? await this.docs.replace(source, outcome.next, current.version, atMs)
        : await this.docs.create(source, outcome.next, atMs);
      if (written) return outcome.result;
    }
    throw new AppError(
      'concurrent_change',
      `statistics of source ${source} keep changing; try again`,
    );
  }
}
