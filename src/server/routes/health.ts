import type { FastifyInstance } from 'fastify';
import { readFourEyes } from '../../access/admin/four-eyes-settings.js';
import { ClockSyncProbe, type ClockSyncStatus } from '../../monitor/clock/clock-sync.js';
import type { ServerContext } from '../context.js';
import { healthSchema } from './health-schemas.js';

/**
 * Liveness plus the facts an operator checks first: is the log there, how big, and is this
 * host's clock synchronised (received_at is the authoritative time, ISO 27001 A.8.17).
 * The clock's state never fails the probe: it is reported, with a reason when unknown.
 */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const clockSync = ctx.clockSync ?? new ClockSyncProbe({ clock: ctx.clock });
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: healthSchema },
    async (_request, reply) => {
      const clock = clockJson(
        await clockSync.status().catch(
          (error: unknown): ClockSyncStatus => ({
            synchronized: null,
            method: 'none',
            checkedAtMs: ctx.clock.now(),
            reason: `check failed: ${error instanceof Error ? error.message : String(error)}`,
          }),
        ),
      );
      try {
        const head = await ctx.store.head();
        const fourEyes = await readFourEyes(ctx.store);
        return {
          status: 'ok',
          tree_size: head?.size ?? 0,
          clock,
          four_eyes: { reader_grants: fourEyes.readerGrants },
        };
      } catch {
        return reply.status(503).send({ status: 'unavailable', clock });
      }
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
