import type { SearchDialect } from '../search-sql.js';

/** How search-sql.ts writes a search for SQLite. */
export const SQLITE_SEARCH: SearchDialect = {
  param: () => '?',
  actorName: "json_extract(record, '$.actor.name')",
  // Registered on the reading connection by SqliteStore (SQLite has no address type).
  ipIn: (p) => `evident_ip_in(json_extract(record, '$.actor.ip'), ${p}) = 1`,
  never: '0',
  // Actor and target ids live in key tables behind the log (migration 14, key-indexer.ts).
  keyTablesBelow: '(SELECT indexed_below FROM entry_keys_position)',
};
