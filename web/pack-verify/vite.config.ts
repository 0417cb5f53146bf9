import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { browserCoreSeams } from '../vite.config.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The pack's verify.html is opened from a folder (file://), where a browser loads no module
 * file beside it: the bundle is inlined into the page, and the page's CSP allows exactly
 * that script (by its SHA-256) and no network.
 */
function inlineIntoPage(): Plugin {
  return {
    name: 'evident-inline-verify-page',
    apply: 'build',
    enforce: 'post',
    generateBundle(_options, bundle) {
      const page = bundle['verify.html'];
      const entry = Object.values(bundle).find((item) => item.type === 'chunk' && item.isEntry);
      if (page?.type !== 'asset' || entry?.type !== 'chunk') this.error('no page or entry chunk');
      const code = entry.code;
      if (/<\/script/i.test(code))
        this.error('the bundle contains "</script": it cannot be inlined');
      const hash = createHash('sha256').update(code).digest('base64');
      const html = String(page.source)
        .replace(/<script type="module" crossorigin src="[^"]+"><\/script>/, '')
        .replace('__SCRIPT_HASH__', `sha256-${hash}`)
        .replace('</body>', `<script type="module">${code}</script>\n  </body>`);
      if (html.includes('src="')) this.error('verify.html still loads a file');
      page.source = html;
      delete bundle[entry.fileName];
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  plugins: [browserCoreSeams(), inlineIntoPage()],
  build: {
    outDir: resolve(here, '..', '..', 'dist', 'pack-verify'),
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    target: 'es2022',
    rollupOptions: { input: resolve(here, 'verify.html') },
  },
});
