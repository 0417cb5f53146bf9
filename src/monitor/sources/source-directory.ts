import { inScope, type SourceScope } from '../../access/authorization/source-scope.js';
import { AppError } from '../../errors.js';
import type { SelfAudit } from '../../log/self-audit.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { Requester } from '../requester.js';
import { formatDuration } from './duration.js';
import { type Declaration, type SourceRecord, SourceRegistry } from './source-registry.js';
import type { SourceStats } from './source-stats.js';
import { SourceStatsStore } from './stats-store.js';

/** A source with what the observer learned about it (none before its first event). */
export interface SourceView {
  record: SourceRecord;
  stats: SourceStats | undefined;
}

export interface SourceDirectoryDeps {
  db: Pick<Store, 'state' | 'transaction'>;
  audit: Pick<SelfAudit, 'recordWithin'>;
  clock: Clock;
}

/**
 * Source coverage for the API: the registry joined with each source's statistics, within
 * the caller's source scope, and declarations committed with their `source.update` event.
 */
export class SourceDirectory {
  readonly registry: SourceRegistry;
  readonly stats: SourceStatsStore;

  constructor(private readonly deps: SourceDirectoryDeps) {
    this.registry = new SourceRegistry(deps.db);
    this.stats = new SourceStatsStore(deps.db);
  }

  async list(scope: SourceScope): Promise<SourceView[]> {
    const [records, stats] = await Promise.all([this.registry.list(), this.stats.all()]);
    return records
      .filter((r) => inScope(scope, r.name))
      .map((record) => ({ record, stats: stats.get(record.name) }));
  }

  /** One source; outside the scope, the same 404 as a source that does not exist. */
  async get(name: string, scope: SourceScope): Promise<SourceView> {
    const record = inScope(scope, name) ? await this.registry.get(name) : undefined;
    if (!record) throw new AppError('not_found', `no source ${name}`);
    return { record, stats: await this.stats.get(name) };
  }

  /** Declares (or re-declares) a source; the row and its event commit together. */
  async declare(
    name: string,
    declaration: Declaration,
    by: Requester & { principal: { id: string } },
  ): Promise<SourceView> {
    const now = this.deps.clock.now();
    const shown = (ms: number | null | undefined) =>
      ms === undefined ? 'default' : ms === null ? null : formatDuration(ms);
    const { result: record } = await this.deps.audit.recordWithin(async (tx) => {
      const { record, previous } = await this.registry.declareIn(
        tx,
        name,
        declaration,
        by.principal.id,
        now,
      );
      const event = {
        ...by,
        action: 'source.update',
        category: 'config' as const,
        target: { type: 'source', id: name },
        details: {
          created: previous === undefined,
          expected_max_silence: shown(declaration.maxSilenceMs),
          ...(previous ? { previous_max_silence: shown(previous.maxSilenceMs) } : {}),
        },
      };
      return { events: [event], result: record };
    });
    return { record, stats: await this.stats.get(name) };
  }
}
