import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/**
 * Fails the build when what the first page loads (index.html, the entry chunk, its static
 * imports and their CSS) is over `maxGzipBytes` gzipped, and prints the size either way.
 */
export function bundleBudget(options: { maxGzipBytes: number }): Plugin {
  return {
    name: 'evident-bundle-budget',
    apply: 'build',
    generateBundle(_outputOptions, bundle) {
      const files = new Set<string>(['index.html']);
      const visit = (name: string) => {
        const item = bundle[name];
        if (item === undefined || files.has(name)) return;
        files.add(name);
        if (item.type !== 'chunk') return;
        for (const css of item.viteMetadata?.importedCss ?? []) files.add(css);
        for (const dep of item.imports) visit(dep);
      };
      for (const item of Object.values(bundle))
        if (item.type === 'chunk' && item.isEntry) visit(item.fileName);
      let total = 0;
      for (const name of files) {
        const item = bundle[name];
        if (item === undefined) continue;
        const body = item.type === 'chunk' ? item.code : item.source;
        total += gzipSync(typeof body === 'string' ? Buffer.from(body) : body).byteLength;
      }
      const kb = (total / 1024).toFixed(1);
      const limit = (options.maxGzipBytes / 1024).toFixed(0);
      if (total > options.maxGzipBytes) {
        this.error(`first page is ${kb} KB gzipped, over the ${limit} KB budget`);
      }
      this.info(`first page: ${kb} KB gzipped (budget ${limit} KB): ${[...files].join(', ')}`);
    },
  };
}
