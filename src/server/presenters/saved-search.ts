import type { SavedSearchRow } from '../../store/tables/saved-searches/saved-searches-table.js';

/** A saved search as the API shows it (the owner is the caller, so not repeated). */
export function savedSearchJson(s: SavedSearchRow) {
  return {
    id: s.id,
    name: s.name,
    query: s.query,
    range: s.dateRange,
    created_at: new Date(s.createdAtMs).toISOString(),
    updated_at: new Date(s.updatedAtMs).toISOString(),
  };
}
