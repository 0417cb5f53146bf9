import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { test } from 'node:test';

/*
 * The allowed direction is access/ → log/: access records its changes through the log's
 * self-audit, and the log knows nothing of accounts, roles or credentials. A cycle between
 * the two would make neither loadable or testable without the other.
 */
const SRC = resolve(import.meta.dirname, '../../src');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
}

/** The src/ folders a file imports from, static, dynamic and type-only imports alike. */
function importedFolders(file: string): { specifier: string; folder: string }[] {
  const text = readFileSync(file, 'utf8');
  const found: { specifier: string; folder: string }[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)'(\.[^']+)'/g)) {
    const target = resolve(file, '..', m[1]!);
    const rel = relative(SRC, target);
    if (!rel.startsWith('..')) found.push({ specifier: m[1]!, folder: rel.split(/[\\/]/)[0]! });
  }
  return found;
}

test('no file in src/log imports from src/access', () => {
  const offending = filesUnder(join(SRC, 'log')).flatMap((f) =>
    importedFolders(f)
      .filter((i) => i.folder === 'access')
      .map((i) => `${relative(SRC, f)} imports ${i.specifier}`),
  );
  assert.deepEqual(offending, []);
});

test('the import scan sees access/ → log/ imports (so it would see the reverse)', () => {
  const seen = filesUnder(join(SRC, 'access')).some((f) =>
    importedFolders(f).some((i) => i.folder === 'log'),
  );
  assert.equal(seen, true);
});
