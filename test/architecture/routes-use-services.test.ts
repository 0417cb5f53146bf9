import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/*
 * A route is parse → authorise → one service call → presenter (docs/architecture.md). It does
 * not reach the store: not by importing src/store/ (a type-only import of plain row or value
 * types is fine; the Store port and query runners are not), and not through `ctx.store`. The
 * services it calls are built once in the server context and own their tables.
 */
const SRC = resolve(import.meta.dirname, '../../src');
const ROUTES = join(SRC, 'server', 'routes');

/**
 * Route files that still reach the store. It only shrinks: a file that no longer does must
 * leave the list (the test says so), and no file may join it.
 */
const ROUTES_STILL_ON_STORE: readonly string[] = [];

/** Types of src/store/ that execute queries: a route holding one could run its own. */
const STORE_HANDLES = ['Store', 'AppendTransaction', 'QueryRunner', 'Kysely'];

function routeFiles(): string[] {
  return readdirSync(ROUTES, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROUTES, join(e.parentPath, e.name)));
}

/** How a file reaches the store, if it does: each finding names the line's reason. */
export function storeAccess(file: string, text: string): string[] {
  const found: string[] = [];
  const imports = text.matchAll(
    /import\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+|\w+)\s+from\s+'(\.[^']+)'|import\s*\(\s*'(\.[^']+)'/g,
  );
  for (const m of imports) {
    const specifier = m[3] ?? m[4]!;
    const target = relative(SRC, resolve(file, '..', specifier));
    if (!target.startsWith(`store/`) && target !== 'store') continue;
    const typeOnly = m[1] !== undefined;
    const names = (m[2] ?? '')
      .replace(/[{}]/g, '')
      .split(',')
      .map((n) => n.trim());
    if (!typeOnly) found.push(`imports ${specifier} (not type-only)`);
    else if (names.some((n) => STORE_HANDLES.includes(n.replace(/^type\s+/, ''))))
      found.push(`imports a store handle from ${specifier}`);
  }
  if (/\bctx\.store\b|\.store\./.test(text)) found.push('uses ctx.store');
  return found;
}

test('no route file reaches the store, except the ones not yet moved', () => {
  const reaching = routeFiles().filter(
    (f) => storeAccess(join(ROUTES, f), readFileSync(join(ROUTES, f), 'utf8')).length > 0,
  );
  const newcomers = reaching.filter((f) => !ROUTES_STILL_ON_STORE.includes(f));
  assert.deepEqual(
    newcomers.map(
      (f) =>
        `${f}: ${storeAccess(join(ROUTES, f), readFileSync(join(ROUTES, f), 'utf8')).join('; ')}`,
    ),
    [],
    'route files that reach the store: call a service from the server context instead',
  );
  const moved = ROUTES_STILL_ON_STORE.filter((f) => !reaching.includes(f));
  assert.deepEqual(
    moved,
    [],
    'these no longer reach the store: take them off ROUTES_STILL_ON_STORE',
  );
});

test('the scan sees each way of reaching the store', () => {
  const file = join(ROUTES, 'x.ts');
  assert.deepEqual(storeAccess(file, "import { openStore } from '../../store/open.js';"), [
    'imports ../../store/open.js (not type-only)',
  ]);
  assert.deepEqual(storeAccess(file, "import type { Store } from '../../store/store.js';"), [
    'imports a store handle from ../../store/store.js',
  ]);
  assert.deepEqual(storeAccess(file, 'const head = await ctx.store.head();'), ['uses ctx.store']);
  assert.deepEqual(
    storeAccess(file, "import type { IngestKeyRow } from '../../store/store.js';"),
    [],
  );
  assert.deepEqual(storeAccess(file, "import { x } from '../../log/search.js';"), []);
});
