import { gzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { formatTilePath } from '../../core/tiles.js';
import type { ServerContext } from '../context.js';
import { type TileParams, tileSchema } from './tiles-schemas.js';

/** A tile never changes once the tree holds it (the tree only grows): cache it for a year. */
const IMMUTABLE = 'private, max-age=31536000, immutable';

export function tileRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // Raw hashes and records of every source, like GET /api/v1/log/entries: log.entries.
  app.get<{ Params: TileParams }>(
    '/api/v1/log/tile/*',
    { config: { access: 'log.entries' }, schema: tileSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'log.entries');
      const tile = ctx.tiles.parse(`tile/${request.params['*']}`);
      const served = await ctx.tiles.read(tile);
      const path = formatTilePath(tile);
      await ctx.audit.record({
        principal,
        ip: request.ip,
        ...(tile.level === 'entries'
          ? {
              action: 'audit_log.export',
              details: { tile: path, start: served.start, end: served.end },
            }
          : {
              action: 'audit_log.proof',
              details: { kind: 'tile', tile: path, start: served.start, end: served.end },
            }),
      });
      reply.header('cache-control', IMMUTABLE).type('application/octet-stream');
      const gzip =
        tile.level === 'entries' && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '');
      if (gzip) return reply.header('content-encoding', 'gzip').send(gzipSync(served.bytes));
      return reply.send(
        Buffer.from(served.bytes.buffer, served.bytes.byteOffset, served.bytes.byteLength),
      );
    },
  );
}
