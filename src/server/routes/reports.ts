import type { FastifyInstance } from 'fastify';
import { describeScope } from '../../access/authorization/source-scope.js';
import { AppError } from '../../errors.js';
import { parsePackPeriod } from '../../evidence/pack-period.js';
import { reportPdf } from '../../evidence/pdf/report-pdf.js';
import { reportJson } from '../../evidence/report-service.js';
import type { ServerContext } from '../context.js';
import { type ReportParams, type ReportQuery, reportSchema } from './reports-schemas.js';

/**
 * GET /api/v1/reports/:kind: one report of a period, computed from the log as of the
 * checkpoint at hand, through the reader's source scope; audited as `report.read` (with the
 * tree size it was computed from) before the first byte is sent.
 */
export function reportRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Params: ReportParams; Querystring: ReportQuery }>(
    '/api/v1/reports/:kind',
    { config: { access: 'reports.read' }, schema: reportSchema },
    async (request, reply) => {
      const { principal, scope } = await ctx.accessScoped(request, 'reports.read');
      const { kind } = request.params;
      const { from, to, format = 'json', ...narrowing } = request.query;
      let period: { fromMs: number; toMs: number };
      try {
        period = parsePackPeriod(from, to, ['from', 'to']);
      } catch (error) {
        throw new AppError('invalid_query', (error as Error).message, { path: 'to' });
      }
      const report = await ctx.reports.generate({ kind, ...period, filters: narrowing, scope });
      const h = report.heading;
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'report.read',
        target: { type: 'report', id: kind },
        details: {
          format,
          period_from: h.period.from,
          period_to: h.period.to,
          ...narrowing,
          tree_size: h.as_of.tree_size,
          events: h.events,
          scope: describeScope(scope),
        },
      });
      const name = `evident-report-${kind}-${h.as_of.tree_size}.${format}`;
      reply
        .header('evident-tree-size', String(h.as_of.tree_size))
        .header('evident-checkpoint', Buffer.from(h.as_of.checkpoint, 'utf8').toString('base64'));
      if (format === 'json') return reply.type('application/json').send(reportJson(report));
      reply.header('content-disposition', `attachment; filename="${name}"`);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(report.csv);
      const pdf = await reportPdf(report, ctx.clock.now());
      return reply.type('application/pdf').send(Buffer.from(pdf));
    },
  );
}
