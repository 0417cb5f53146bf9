import type { SearchDialect } from '../search-sql.js';
import { KEY_BUCKET_BITS } from './key-batch.js';

/** Actor and target ids live in key tables behind the log (migrations 14 and 16, key-indexer.ts). */
export const SQLITE_KEY_TABLES = {
  below: '(SELECT indexed_below FROM entry_keys_position)',
  bucketBits: KEY_BUCKET_BITS,
};

/** How search-sql.ts writes a search for SQLite. */
export const SQLITE_SEARCH: SearchDialect = {
  param: () => '?',
  actorName: "json_extract(record, '$.actor.name')",
  // Registered on the reading connection by SqliteStore (SQLite has no address type).
  ipIn: (p) => `evident_ip_in(json_extract(record, '$.actor.ip'), ${p}) = 1`,
  never: '0',
  keyTables: SQLITE_KEY_TABLES,
};
