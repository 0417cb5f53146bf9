import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository (test/support/ is two levels down). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The published conformance vectors are vendored in `test/vectors/` (origin and licence of
 * each in its README), so any clone runs its own tests. EVIDENT_VECTORS_DIR overrides.
 * Missing vectors are a hard failure: a conformance test that quietly skips proves nothing.
 */
export const vectorsDir = process.env.EVIDENT_VECTORS_DIR ?? join(repoRoot, 'test', 'vectors');

if (!existsSync(vectorsDir)) {
  throw new Error(`test vectors not found at ${vectorsDir}; set EVIDENT_VECTORS_DIR`);
}

export function vectorPath(...parts: string[]): string {
  const path = join(vectorsDir, ...parts);
  if (!existsSync(path)) throw new Error(`test vector not found: ${path}`);
  return path;
}

export function readVectorJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(vectorPath(...parts), 'utf8')) as T;
}
