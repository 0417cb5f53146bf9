import type { FastifyInstance } from 'fastify';
import { describeCaller } from '../../access/authentication/caller.js';
import type { ServerContext } from '../context.js';
import { callerJson } from '../presenters/caller.js';
import { whoamiSchema } from './whoami-schemas.js';

/**
 * Who the credential is: any authenticated principal, ingest keys included (so a script can
 * check its key before sending). Not an event: it reads nothing of the log.
 */
export function whoamiRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/whoami',
    { config: { access: 'authenticated' }, schema: whoamiSchema },
    async (request) => {
      const principal = await ctx.authenticate(request);
      return callerJson(await describeCaller(ctx.callers, principal));
    },
  );
}
