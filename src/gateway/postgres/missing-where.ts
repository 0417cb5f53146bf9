/**
 * Whether a parsed statement contains an UPDATE or DELETE without a WHERE clause, read off
 * PostgreSQL's parse tree, not the text: anywhere in the tree, so one inside a CTE
 * (`WITH d AS (DELETE FROM t RETURNING *) SELECT …`), under EXPLAIN (ANALYZE runs it) or
 * in PREPARE counts. Any WHERE counts as one, even `WHERE true` or `WHERE CURRENT OF c`;
 * `DELETE … USING` joins but does not filter, so without WHERE it is missing one. Function
 * bodies and DO blocks are strings to the parser and are not looked into.
 */
export function missingWhere(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(missingWhere);
  const o = node as Record<string, unknown>;
  for (const kind of ['UpdateStmt', 'DeleteStmt']) {
    const stmt = o[kind] as Record<string, unknown> | undefined;
    if (stmt && typeof stmt === 'object' && stmt.whereClause === undefined) return true;
  }
  return Object.values(o).some(missingWhere);
}
