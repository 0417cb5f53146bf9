import type { AccountPrincipal } from '../access/principal.js';
import { AppError } from '../errors.js';
import type { SelfAudit } from '../log/self-audit.js';
import type { Store } from '../store/store.js';
import {
  deleteSavedSearch,
  insertSavedSearch,
  type SavedSearchRow,
  savedSearchCount,
  savedSearchesOf,
  savedSearchNamed,
  updateSavedSearch,
} from '../store/tables/saved-searches/saved-searches-table.js';
import type { Clock } from '../util/clock.js';
import type { IdGenerator } from '../util/ids.js';

/** Saved searches one person may keep: a list to pick from, not a store of queries. */
export const MAX_SAVED_SEARCHES = 100;

export interface SavedSearchInput {
  name: string;
  query: string;
  range: string;
}

/**
 * Each person's saved searches (the dashboard's query bar and date preset, by name). A
 * person lists and deletes only their own; another's id answers like a missing one. Saving
 * and deleting are changes a person made, so each commits with its log event.
 */
export class SavedSearchService {
  constructor(
    private readonly deps: {
      db: Pick<Store, 'state'>;
      audit: Pick<SelfAudit, 'recordWithin'>;
      clock: Clock;
      ids: IdGenerator;
    },
  ) {}

  list(principal: AccountPrincipal): Promise<SavedSearchRow[]> {
    return savedSearchesOf(this.deps.db.state, principal.id);
  }

  /** Saves under `name`; saving a name again points it at the new query. */
  async save(
    principal: AccountPrincipal,
    ip: string,
    input: SavedSearchInput,
  ): Promise<{ saved: SavedSearchRow; created: boolean }> {
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      const nowMs = this.deps.clock.now();
      const existing = await savedSearchNamed(tx, principal.id, input.name);
      let saved: SavedSearchRow;
      if (existing) {
        await updateSavedSearch(tx, existing.id, {
          query: input.query,
          dateRange: input.range,
          atMs: nowMs,
        });
        saved = { ...existing, query: input.query, dateRange: input.range, updatedAtMs: nowMs };
      } else {
        if ((await savedSearchCount(tx, principal.id)) >= MAX_SAVED_SEARCHES) {
          throw new AppError(
            'saved_searches_full',
            `you keep ${MAX_SAVED_SEARCHES} saved searches already; delete one you no longer use first`,
          );
        }
        saved = {
          id: this.deps.ids(nowMs),
          principalId: principal.id,
          name: input.name,
          query: input.query,
          dateRange: input.range,
          createdAtMs: nowMs,
          updatedAtMs: nowMs,
        };
        await insertSavedSearch(tx, saved);
      }
      return {
        result: { saved, created: existing === undefined },
        events: [
          {
            principal,
            ip,
            action: existing ? 'saved_search.update' : 'saved_search.create',
            target: { type: 'saved_search', id: saved.id, name: saved.name },
            category: 'config' as const,
            details: { query: saved.query, range: saved.dateRange },
          },
        ],
      };
    });
    return result;
  }

  async delete(principal: AccountPrincipal, ip: string, id: string): Promise<void> {
    await this.deps.audit.recordWithin(async (tx) => {
      if (!(await deleteSavedSearch(tx, principal.id, id))) {
        throw new AppError('not_found', `you have no saved search ${id}`);
      }
      return {
        result: undefined,
        events: [
          {
            principal,
            ip,
            action: 'saved_search.delete',
            target: { type: 'saved_search', id },
            category: 'config' as const,
          },
        ],
      };
    });
  }
}
