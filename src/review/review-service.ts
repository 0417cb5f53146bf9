import type { AccountDirectory } from '../access/accounts/accounts.js';
import type { SourceScope } from '../access/authorization/source-scope.js';
import type { ApiTokens } from '../access/credentials/api-tokens.js';
import type { AccountPrincipal } from '../access/principal.js';
import { AppError } from '../errors.js';
import type { SelfAudit } from '../log/self-audit.js';
import type { AlertService } from '../monitor/alerts/alert-service.js';
import type { Requester } from '../monitor/requester.js';
import { isUniqueViolation } from '../store/sql/query-runner.js';
import type { Store, StoredEntry } from '../store/store.js';
import {
  allDefinitions,
  definitionById,
  definitionByName,
  insertDefinition,
  replaceDefinition,
} from '../store/tables/reviews/review-definitions-table.js';
import { notesOf } from '../store/tables/reviews/review-notes-table.js';
import {
  type OccurrenceFilter,
  occurrenceById,
  occurrencesWhere,
} from '../store/tables/reviews/review-occurrences-table.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';
import { definitionEvent, reviewTarget } from './review-events.js';
import { reviewVisible } from './review-scope.js';
import type { ReviewDefinition, ReviewNote, ReviewOccurrence, ReviewSpec } from './review-types.js';

export interface ReviewServiceDeps {
  store: Store;
  audit: Pick<SelfAudit, 'record' | 'recordWithin'>;
  clock: Clock;
  ids: IdGenerator;
  alerts: Pick<AlertService, 'raise' | 'page'>;
  accounts: Pick<AccountDirectory, 'list'>;
  tokens: Pick<ApiTokens, 'forAccount'>;
}

/** Who acts on a review: a person or service, and where from. */
export interface ReviewActor extends Requester {
  principal: AccountPrincipal;
}

/** An occurrence with its observations, decisions and corrections. */
export interface OccurrenceView {
  occurrence: ReviewOccurrence;
  notes: ReviewNote[];
}

/** A log item: the entry and the alerts raised on it that the reader may see. */
export interface LogItem {
  entry: StoredEntry;
  alerts: { id: string; title: string; state: string; severity: string; ruleId: string }[];
}

export const MAX_OCCURRENCE_PAGE = 500;

/**
 * Review definitions and reading occurrences (src/review/review-work.ts works them,
 * review-schedule.ts generates them). What a reader sees is bounded by the sources of the
 * review: a reader must see every source a review covers to see the review at all.
 */
export class ReviewService {
  constructor(readonly deps: ReviewServiceDeps) {}

  async definitions(scope: SourceScope): Promise<ReviewDefinition[]> {
    return (await allDefinitions(this.deps.store.state)).filter((d) =>
      reviewVisible(scope, d.sources),
    );
  }

  async definition(idOrName: string, scope: SourceScope): Promise<ReviewDefinition> {
    const q = this.deps.store.state;
    const found = (await definitionById(q, idOrName)) ?? (await definitionByName(q, idOrName));
    if (!found || !reviewVisible(scope, found.sources)) {
      throw new AppError('not_found', `no review definition ${idOrName}`);
    }
    return found;
  }

  /** Creates a definition; the row and its `review_definition.create` event commit together. */
  async define(spec: ReviewSpec, by: ReviewActor): Promise<ReviewDefinition> {
    const now = this.deps.clock.now();
    const definition: ReviewDefinition = {
      ...spec,
      id: this.deps.ids(now),
      version: 1,
      createdAtMs: now,
      createdBy: by.principal.id,
      updatedAtMs: now,
      updatedBy: by.principal.id,
    };
    try {
      const { result } = await this.deps.audit.recordWithin(async (tx) => {
        if (await definitionByName(tx, spec.name)) throw nameTaken(spec.name);
        await insertDefinition(tx, definition);
        return { events: [definitionEvent(definition, true, by)], result: definition };
      });
      return result;
    } catch (error) {
      // Two creates of one name at once: the unique constraint refuses the second.
      if (isUniqueViolation(error)) throw nameTaken(spec.name);
      throw error;
    }
  }

  /**
   * Replaces a definition (kind stays). Occurrences already generated keep the copy they
   * were made from; only periods generated from now on see the change.
   */
  async update(idOrName: string, spec: ReviewSpec, by: ReviewActor): Promise<ReviewDefinition> {
    const current = await this.definition(idOrName, { all: true });
    if (spec.kind !== current.kind) {
      throw new AppError(
        'invalid_field',
        `review "${current.name}" is a ${current.kind} review; its kind cannot change (define a new review instead)`,
        { path: 'kind' },
      );
    }
    const now = this.deps.clock.now();
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const locked = await definitionById(tx, current.id, { lock: true });
      if (!locked) throw new AppError('not_found', `no review definition ${idOrName}`);
      if (spec.name !== locked.name && (await definitionByName(tx, spec.name))) {
        throw nameTaken(spec.name);
      }
      const next: ReviewDefinition = {
        ...locked,
        ...spec,
        version: locked.version + 1,
        updatedAtMs: now,
        updatedBy: by.principal.id,
      };
      if (!(await replaceDefinition(tx, next))) {
        throw new AppError(
          'concurrent_change',
          `review "${locked.name}" changed meanwhile; try again`,
        );
      }
      return { events: [definitionEvent(next, false, by)], result: next };
    });
    return result;
  }

  /** Occurrences the reader sees, newest period first; the read is audited. */
  async occurrences(
    filter: OccurrenceFilter,
    scope: SourceScope,
    by: Requester,
  ): Promise<ReviewOccurrence[]> {
    // A scoped reader's page is filtered after the query: read further ahead (bounded) so
    // other sources' reviews do not leave it short.
    const ahead = scope.all ? filter.limit : MAX_OCCURRENCE_PAGE * 4;
    const rows = await occurrencesWhere(this.deps.store.state, { ...filter, limit: ahead });
    const visible = rows
      .filter((o) => reviewVisible(scope, o.definition.sources))
      .slice(0, filter.limit);
    await this.deps.audit.record({
      ...by,
      action: 'review.list',
      target: { type: 'reviews', id: '*' },
      details: {
        ...(filter.definitionId !== undefined ? { definition_id: filter.definitionId } : {}),
        ...(filter.status !== undefined ? { status: filter.status } : {}),
        returned: visible.length,
      },
    });
    return visible;
  }

  /** One occurrence with its notes (404 outside the reader's scope); the read is audited. */
  async occurrence(id: string, scope: SourceScope, by: Requester): Promise<OccurrenceView> {
    const occurrence = await this.visibleOccurrence(id, scope);
    const notes = await notesOf(this.deps.store.state, id);
    await this.deps.audit.record({
      ...by,
      action: 'review.read',
      target: reviewTarget(occurrence),
      details: { review_id: id },
    });
    return { occurrence, notes };
  }

  /**
   * A page of a started log review's items: each entry with the alerts raised on it that
   * the reader may see. Recorded before it is returned, like any read of events.
   */
  async logItems(
    id: string,
    page: { offset: number; limit: number },
    scope: SourceScope,
    by: Requester,
  ): Promise<{ occurrence: ReviewOccurrence; items: LogItem[] }> {
    const occurrence = await this.visibleOccurrence(id, scope);
    const seqs = pinned(occurrence).items ?? [];
    const chosen = seqs.slice(page.offset, page.offset + page.limit);
    await this.deps.audit.record({
      ...by,
      action: 'review.items',
      target: reviewTarget(occurrence),
      details: { review_id: id, offset: page.offset, returned: chosen.length },
    });
    const items: LogItem[] = [];
    for (const seq of chosen) {
      const entry = await this.deps.store.entryBySeq(seq);
      if (!entry) {
        throw new AppError(
          'store_inconsistent',
          `review ${id} cites entry ${seq}, which the store lacks`,
        );
      }
      const raised = await this.deps.alerts.page({ filter: { eventSeq: seq }, scope, limit: 20 });
      items.push({
        entry,
        alerts: raised.alerts.map((a) => ({
          id: a.id,
          title: a.title,
          state: a.state,
          severity: a.severity,
          ruleId: a.ruleId,
        })),
      });
    }
    return { occurrence, items };
  }

  async visibleOccurrence(id: string, scope: SourceScope): Promise<ReviewOccurrence> {
    const found = await occurrenceById(this.deps.store.state, id);
    if (!found || !reviewVisible(scope, found.definition.sources)) {
      throw new AppError('not_found', `no review ${id}`);
    }
    return found;
  }
}

/** The pin of a started occurrence; refuses one not started yet. */
export function pinned(o: ReviewOccurrence): NonNullable<ReviewOccurrence['pin']> {
  if (o.pin === null) {
    throw new AppError(
      'review_not_in_state',
      `review ${o.id} is not started yet; start it with \`evident reviews start ${o.id}\``,
    );
  }
  return o.pin;
}

function nameTaken(name: string): AppError {
  return new AppError(
    'review_name_taken',
    `a review named "${name}" exists; choose another name or update it`,
  );
}
