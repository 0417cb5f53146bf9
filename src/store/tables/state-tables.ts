/**
 * Every typed state table, in copy order (a table before the tables that refer to it), with
 * its primary key: `evident migrate` copies each one page by page in key order, and the
 * conformance suite round-trips each. A table missing here would be left behind by a migrate.
 */
export interface StateTable {
  table: string;
  key: readonly string[];
}

export const STATE_TABLES: readonly StateTable[] = [
  // The generic documents that remain (singleton settings and anything not yet moved).
  { table: 'state', key: ['kind', 'id'] },
];

export function stateTable(table: string): StateTable {
  const found = STATE_TABLES.find((t) => t.table === table);
  if (!found) throw new Error(`${table} is not a state table (src/store/tables/state-tables.ts)`);
  return found;
}
