import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { bundleBudget } from './bundle-budget.js';

const here = dirname(fileURLToPath(import.meta.url));
const coreDir = resolve(here, '..', 'src', 'core');

/**
 * The core's three platform seams (bytes, hash, ed25519: the only files touching node:
 * modules, DESIGN invariant 7) are swapped for their browser builds in web/src/platform;
 * every other core file is bundled as the server runs it.
 */
export function browserCoreSeams(): Plugin {
  const seams = new Map(
    ['bytes', 'hash', 'ed25519'].map((name) => [
      resolve(coreDir, `${name}.ts`),
      resolve(here, 'src', 'platform', `${name}.ts`),
    ]),
  );
  return {
    name: 'evident-browser-core-seams',
    enforce: 'pre',
    resolveId(source, importer) {
      if (importer === undefined || !source.startsWith('.')) return null;
      const target = resolve(dirname(importer), source).replace(/\.js$/, '.ts');
      return seams.get(target) ?? null;
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  plugins: [browserCoreSeams(), bundleBudget({ maxGzipBytes: 350 * 1024 })],
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: resolve(here, '..', 'dist', 'web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // No inline data: URLs: the page's CSP allows only same-origin files.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
  },
});
