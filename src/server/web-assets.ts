import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AppError } from '../errors.js';

export interface WebFile {
  type: string;
  body: Buffer;
  /** Compressed once at load, not per request. */
  gzip: Buffer;
}

export interface WebAssets {
  index: WebFile;
  /** By file name under assets/: only names the build wrote can be asked for. */
  assets: Map<string, WebFile>;
}

/** The media type of each kind of file the build writes. */
export const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Where `npm run build` puts the dashboard: dist/web beside dist/src when running the built
 * server, <repo>/dist/web when running the sources (tsx).
 */
export function defaultWebRoot(): string {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return basename(root) === 'dist' ? join(root, 'web') : join(root, 'dist', 'web');
}

/** Reads a built dashboard into memory; 503 (the server's fault) when it was not built. */
export function webAssets(webRoot: string): WebAssets {
  const indexPath = join(webRoot, 'index.html');
  if (!existsSync(indexPath)) {
    throw new AppError(
      'dashboard_not_built',
      `the web dashboard is not built (no ${indexPath}); run \`npm run build\``,
    );
  }
  const assets = new Map<string, WebFile>();
  const assetsDir = join(webRoot, 'assets');
  if (existsSync(assetsDir)) {
    for (const name of readdirSync(assetsDir)) {
      const type = ASSET_TYPES[name.slice(name.lastIndexOf('.'))];
      if (type !== undefined) assets.set(name, webFile(join(assetsDir, name), type));
    }
  }
  return { index: webFile(indexPath, 'text/html; charset=utf-8'), assets };
}

function webFile(path: string, type: string): WebFile {
  const body = readFileSync(path);
  return { type, body, gzip: gzipSync(body) };
}
