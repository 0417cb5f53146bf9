import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.js';
import { type WebAssets, webAssets } from '../web-assets.js';
import { assetSchema, pageSchema } from './dashboard-schemas.js';

/**
 * The page's own policy (API answers carry a stricter `default-src 'none'`): scripts,
 * styles and calls only from this server — no inline script, no eval, no CDN — and no
 * framing, so the dashboard works offline from the server and resists injection.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** Hashed names change with their content: a year of caching is safe (RFC 8246 immutable). */
const ASSET_CACHE = 'public, max-age=31536000, immutable';

/**
 * The web dashboard (web/, built into dist/web): hashed assets under /assets/, and
 * index.html for every other path that is not the API, so client routes (/alerts/…) load
 * the app. index.html is never cached: a new build is picked up on the next load.
 */
export function dashboardRoutes(app: FastifyInstance, webRoot: string): void {
  let assets: WebAssets | undefined;
  const load = (): WebAssets => {
    assets ??= webAssets(webRoot);
    return assets;
  };

  app.get<{ Params: { name: string } }>(
    '/assets/:name',
    { config: { access: 'public' }, schema: assetSchema },
    async (request, reply) => {
      const file = load().assets.get(request.params.name);
      if (file === undefined) {
        throw new AppError('not_found', `no dashboard asset ${request.params.name}`);
      }
      return send(request, reply, file, ASSET_CACHE);
    },
  );

  app.get('/*', { config: { access: 'public' }, schema: pageSchema }, async (request, reply) => {
    const path = request.url.split('?')[0]!;
    // Unknown API paths and file-like paths stay 404s; everything else is a client route.
    if (path === '/api' || path.startsWith('/api/') || /\.[A-Za-z0-9]+$/.test(path)) {
      throw new AppError(
        'route_not_found',
        `no route ${request.method} ${path}; see /api/v1/openapi.json`,
      );
    }
    return send(request, reply, load().index, 'no-cache');
  });
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  file: { type: string; body: Buffer; gzip: Buffer },
  cache: string,
) {
  void reply.headers(PAGE_HEADERS).header('cache-control', cache).header('vary', 'accept-encoding');
  const accepts = String(request.headers['accept-encoding'] ?? '');
  if (/\bgzip\b/.test(accepts)) {
    return reply.type(file.type).header('content-encoding', 'gzip').send(file.gzip);
  }
  return reply.type(file.type).send(file.body);
}
