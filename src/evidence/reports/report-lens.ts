import { inScope, type SourceScope } from '../../access/authorization/source-scope.js';
import type { PeriodEvent } from './period-event.js';

/** Narrowing a report asks for: one person (actor), one target, one source. */
export interface ReportFilters {
  person?: string;
  target?: string;
  source?: string;
}

/** The log's own events about the server as a whole, not about any source's data. */
const LOG_WIDE_ACTIONS = new Set(['clock.sync']);

/**
 * Which of the period's events one reader's report may use. An event of the log itself
 * (source `evident`) is about the sources it names: a silence about its target source, an
 * alert step about the alert's sources (learnt from its raise; an alert raised before the
 * period has no known sources and is hidden from a scoped reader, fail closed, as alert
 * reads are). Everything else is about its own source. A scoped reader (`billing-*`) sees an
 * event when one of its sources is in scope, the same rule as the alerts routes.
 */
export class ReportLens {
  private readonly alertSources = new Map<string, string[]>();

  constructor(
    private readonly scope: SourceScope,
    private readonly filters: ReportFilters,
  ) {}

  sees(e: PeriodEvent): boolean {
    const r = e.record;
    const f = this.filters;
    // The server's own state (its clock) concerns every reader and every source.
    if (!(e.source === 'evident' && LOG_WIDE_ACTIONS.has(r.action))) {
      const about = this.sourcesOf(e);
      if (!this.scope.all && !about.some((s) => inScope(this.scope, s))) return false;
      if (f.source !== undefined && !about.includes(f.source)) return false;
    }
    if (f.person !== undefined && r.actor.id !== f.person && r.actor.name !== f.person)
      return false;
    if (f.target !== undefined && r.target?.id !== f.target && r.target?.name !== f.target)
      return false;
    return true;
  }

  private sourcesOf(e: PeriodEvent): string[] {
    const r = e.record;
    if (e.source !== 'evident') return [e.source];
    if (r.action === 'source.silent' || r.action === 'source.recovered')
      return r.target ? [r.target.id] : [];
    if (r.action.startsWith('alert.') && r.target) {
      const named = r.details?.sources;
      if (r.action === 'alert.raise' && Array.isArray(named))
        this.alertSources.set(
          r.target.id,
          named.filter((s): s is string => typeof s === 'string'),
        );
      return this.alertSources.get(r.target.id) ?? [];
    }
    return [e.source];
  }
}
