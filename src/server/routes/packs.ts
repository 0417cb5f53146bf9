import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { parsePackPeriod } from '../../evidence/pack-period.js';
import { packZipChunks } from '../../evidence/pack-zip.js';
import type { ServerContext } from '../context.js';
import { createPackSchema, type PackRequest } from './packs-schemas.js';

/**
 * POST /api/v1/packs: cuts an evidence pack as `evident pack create` does, notarised in the
 * log as the caller (`evidence_pack.create` is that caller's event), then streams the zip,
 * compressing file by file.
 */
export function packRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Body: PackRequest }>(
    '/api/v1/packs',
    { config: { access: 'packs.create' }, schema: createPackSchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'packs.create');
      const { from, to, since } = request.body;
      let period: { fromMs: number; toMs: number };
      try {
        period = parsePackPeriod(from, to, ['from', 'to']);
      } catch (error) {
        throw new AppError('invalid_field', (error as Error).message, { path: 'to' });
      }
      const made = await ctx.packs.create({
        period,
        ...(since === undefined ? {} : { since }),
        by: principal,
        ip: request.ip,
      });
      const name = `evident-pack-${made.checkpointSize}.zip`;
      return reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('evident-manifest-sha256', made.manifestSha256)
        .header('evident-tree-size', String(made.checkpointSize))
        .send(Readable.from(packZipChunks(made.files, made.createdAtMs), { objectMode: false }));
    },
  );
}
