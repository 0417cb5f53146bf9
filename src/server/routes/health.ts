import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../context.js';

/** Liveness plus the one fact an operator checks first: is the log there and how big. */
export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      const head = await ctx.store.head();
      return { status: 'ok', tree_size: head?.size ?? 0 };
    } catch {
      return reply.status(503).send({ status: 'unavailable' });
    }
  });
}
