/**
 * Finer names for what a statement does than its verb, read off PostgreSQL's parse tree,
 * for guardrails: `drop`, `create`, `alter`, `alter_system`, `copy_program`.
 */
export function commandsOf(kind: string, body: unknown): string[] {
  const b = (body ?? {}) as Record<string, unknown>;
  if (kind === 'AlterSystemStmt') return ['alter', 'alter_system'];
  if (kind === 'CopyStmt') return b.is_program ? ['copy_program'] : [];
  // DropStmt, DropRoleStmt, DropdbStmt, DropOwnedStmt, …; likewise Create… and Alter….
  if (kind.startsWith('Drop')) return ['drop'];
  if (kind.startsWith('Create') || kind === 'IndexStmt' || kind === 'ViewStmt') return ['create'];
  if (kind.startsWith('Alter') || kind === 'RenameStmt') return ['alter'];
  return [];
}

/**
 * Schemas a statement names: those of its schema-qualified tables, of the objects a DROP
 * names (`schema.name`), and the schemas themselves in CREATE/DROP/ALTER SCHEMA. A name
 * without a schema is resolved by the server's search_path, which the gateway cannot see.
 */
export function schemasOf(kind: string, body: unknown, tables: string[]): string[] {
  const found = new Set<string>();
  for (const t of tables) {
    const dot = t.indexOf('.');
    if (dot > 0) found.add(t.slice(0, dot));
  }
  const b = (body ?? {}) as Record<string, unknown>;
  if (kind === 'CreateSchemaStmt' && typeof b.schemaname === 'string') found.add(b.schemaname);
  if (kind === 'DropStmt' && Array.isArray(b.objects)) {
    for (const o of b.objects as Record<string, unknown>[]) {
      const names = nameParts(o);
      if (b.removeType === 'OBJECT_SCHEMA') for (const n of names) found.add(n);
      else if (names.length >= 2) found.add(names[names.length - 2]!);
    }
  }
  if (kind === 'RenameStmt' && b.renameType === 'OBJECT_SCHEMA' && typeof b.subname === 'string')
    found.add(b.subname);
  return [...found];
}

const DROPPED_RELATIONS = new Set([
  'OBJECT_TABLE',
  'OBJECT_VIEW',
  'OBJECT_MATVIEW',
  'OBJECT_FOREIGN_TABLE',
]);

/**
 * The tables (and views) a DROP names, `schema.name` when written so: DROP lists names, not
 * the table references the rest of the tree uses, so a walk for those misses them.
 */
export function droppedTables(kind: string, body: unknown): string[] {
  const b = (body ?? {}) as Record<string, unknown>;
  if (kind !== 'DropStmt' || typeof b.removeType !== 'string') return [];
  if (!DROPPED_RELATIONS.has(b.removeType) || !Array.isArray(b.objects)) return [];
  return (b.objects as Record<string, unknown>[])
    .map((o) => nameParts(o).slice(-2).join('.'))
    .filter((name) => name !== '');
}

/** `{String: {sval}}` or `{List: {items: [{String}, …]}}` → the names in order. */
function nameParts(o: Record<string, unknown>): string[] {
  const one = (o.String as { sval?: string } | undefined)?.sval;
  if (one !== undefined) return [one];
  const items = (o.List as { items?: Record<string, unknown>[] } | undefined)?.items ?? [];
  return items.flatMap((i) => {
    const s = (i.String as { sval?: string } | undefined)?.sval;
    return s === undefined ? [] : [s];
  });
}
