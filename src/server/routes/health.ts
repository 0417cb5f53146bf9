import type { FastifyInstance } from 'fastify';
import type { ClockSyncStatus } from '../../monitor/clock/clock-sync.js';
import type { ServerContext } from '../context.js';
import { healthSchema } from './health-schemas.js';

/**
 * Liveness plus the facts an operator checks first: is the log there, how big, and is this
 * host's clock synchronised (monitor/health.ts). The clock's state never fails the probe.
 */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: healthSchema },
    async (_request, reply) => {
      const health = await ctx.health.check();
      const clock = clockJson(health.clock);
      if (health.log === undefined) return reply.status(503).send({ status: 'unavailable', clock });
      return {
        status: 'ok',
        tree_size: health.log.treeSize,
        clock,
        four_eyes: { reader_grants: health.log.readerGrants },
      };
    },
  );
}

function clockJson(status: ClockSyncStatus) {
  return {
    synchronized: status.synchronized,
    method: status.method,
    checked_at: new Date(status.checkedAtMs).toISOString(),
    ...(status.reason === undefined ? {} : { reason: status.reason }),
  };
}
