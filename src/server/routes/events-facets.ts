import type { FastifyInstance } from 'fastify';
import { describeScope } from '../../access/authorization/source-scope.js';
import type { ServerContext } from '../context.js';
import { FACETS_DEFAULT_TOP, type FacetsQuery, facetsSchema } from './events-facets-schemas.js';

/**
 * GET /api/v1/events/facets: what the search page shows beside its results, counted over
 * the whole result (up to the scan limit) instead of the page. The counts come from the same
 * plan as the search, so they never include a source outside the caller's grant; audited
 * as a search, since counts reveal what the log holds.
 */
export function eventFacetRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get<{ Querystring: FacetsQuery }>(
    '/api/v1/events/facets',
    { config: { access: 'events.read' }, schema: facetsSchema },
    async (request, reply) => {
      const { principal, scope } = await ctx.accessScoped(request, 'events.read');
      const { top = FACETS_DEFAULT_TOP, bucket, ...filters } = request.query;
      const plan = await ctx.search.plan(filters, scope);
      const counts = await ctx.search.facets(plan, { top, ...(bucket ? { bucket } : {}) });
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'audit_log.search',
        details: {
          ...plan.described,
          facets: true,
          ...(bucket ? { bucket } : {}),
          top,
          scanned: counts.scanned,
          scope: describeScope(scope),
        },
      });
      return reply.send({
        scanned: counts.scanned,
        complete: counts.complete,
        facets: counts.facets,
        buckets: counts.buckets.map((b) => ({
          start: new Date(b.startMs).toISOString(),
          count: b.count,
        })),
        order: plan.order,
        ...(plan.neverMatches !== undefined ? { never_matches: plan.neverMatches } : {}),
      });
    },
  );
}
