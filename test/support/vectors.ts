import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of this repository (test/support/ is two levels down). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The published conformance vectors live in `../shared/vectors` beside the clone (CI puts
 * shared/ there). EVIDENT_VECTORS_DIR overrides. Missing vectors are a hard failure: a
 * conformance test that quietly skips proves nothing.
 */
export const vectorsDir =
  process.env.EVIDENT_VECTORS_DIR ?? resolve(repoRoot, '..', 'shared', 'vectors');

if (!existsSync(vectorsDir)) {
  throw new Error(`test vectors not found at ${vectorsDir}; set EVIDENT_VECTORS_DIR`);
}

export function vectorPath(...parts: string[]): string {
  return join(vectorsDir, ...parts);
}

export function readVectorJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(vectorPath(...parts), 'utf8')) as T;
}
