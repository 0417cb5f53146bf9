import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` puts the pack's verify.html (web/pack-verify): dist/pack-verify
 * beside dist/src when running the built CLI, <repo>/dist/pack-verify from the sources.
 */
export function defaultVerifyPagePath(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dist = basename(root) === 'dist' ? root : join(root, 'dist');
  return join(dist, 'pack-verify', 'verify.html');
}

export function readVerifyPage(path = defaultVerifyPagePath()): Uint8Array {
  if (!existsSync(path))
    throw new Error(`the pack's verify.html is not built (no ${path}); run \`npm run build\``);
  return new Uint8Array(readFileSync(path));
}
