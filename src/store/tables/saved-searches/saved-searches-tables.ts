/** The saved-search table (migration 11), as Kysely sees it: snake_case columns. */
export interface SavedSearchesTable {
  id: string;
  /** The person (or service) who saved it: the only one who lists or deletes it. */
  principal_id: string;
  name: string;
  /** The query bar's text, as typed (`actor:u-1 action:customer.*`). */
  query: string;
  /** A date preset id (`24h`, `7d`, …) or '' for any time. */
  date_range: string;
  created_at_ms: number;
  updated_at_ms: number;
}

export interface SavedSearchTables {
  saved_searches: SavedSearchesTable;
}
