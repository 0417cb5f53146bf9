import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { describeScope } from '../../access/authorization/source-scope.js';
import type { ServerContext } from '../context.js';
import { entryExportLine, exportHeader, exportTrailer } from '../presenters/entry-export.js';
import { type ExportQuery, exportSchema } from './events-schemas.js';

/**
 * GET /api/v1/events/export: every entry the search filters select (within the caller's
 * sources), streamed page by page in the search's order, up to the checkpoint taken when
 * the request came in; that checkpoint is in the `Evident-Checkpoint` header (base64 of the
 * signed note) and in the trailer line. Audited as `audit_log.export` before the first byte.
 */
export function eventExportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: ExportQuery }>(
    '/api/v1/events/export',
    { config: { access: 'events.export' }, schema: exportSchema },
    async (request, reply) => {
      const { principal, scope } = await ctx.accessScoped(request, 'events.export');
      const { format, ...filters } = request.query;
      const plan = await ctx.search.plan(filters, scope);
      // With its witness cosignatures: those known now in the header, those known once the
      // last entry is written (asynchronous witnessing may have caught up) in the trailer.
      const signed = (await ctx.log.head()).checkpoint;
      const checkpoint = await ctx.log.cosigned(signed);
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'audit_log.export',
        target: { type: 'events', id: 'export' },
        details: {
          format,
          ...plan.described,
          tree_size: checkpoint.size,
          scope: describeScope(scope),
        },
      });
      async function* lines(): AsyncGenerator<string> {
        yield exportHeader(format);
        let count = 0;
        for await (const page of ctx.search.pages(plan, checkpoint.size)) {
          let chunk = '';
          for (const entry of page) chunk += entryExportLine(format, entry, ctx.entryFlags);
          count += page.length;
          yield chunk;
        }
        yield exportTrailer(format, count, await ctx.log.cosigned(signed));
      }
      const name = `evident-events-${checkpoint.size}.${format}`;
      return reply
        .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .header('evident-checkpoint', Buffer.from(checkpoint.note, 'utf8').toString('base64'))
        .header('evident-tree-size', String(checkpoint.size))
        .header('evident-order', plan.order)
        .send(Readable.from(lines(), { objectMode: false }));
    },
  );
}
