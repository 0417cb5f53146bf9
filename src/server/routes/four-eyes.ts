import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import { type FourEyesSettings, parseReaderGrants } from '../../access/admin/four-eyes-settings.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { getFourEyesSchema, putFourEyesSchema } from './principals-schemas.js';

/**
 * Four-eyes settings (settings.manage): whether reading roles for principals an admin controls
 * wait for a second admin. Turning it off is for one-person installs and is itself an event.
 */
export function fourEyesRoutes(app: FastifyInstance, ctx: ServerContext): void {
  // A plugin runs after the OpenAPI generator's onRoute hook is in place, so it sees these.
  void app.register(async (scoped) => fourEyesRoutesOn(scoped, ctx));
}

function fourEyesRoutesOn(app: FastifyInstance, ctx: ServerContext): void {
  app.get(
    '/api/v1/settings/four-eyes',
    { config: { access: 'settings.manage' }, schema: getFourEyesSchema },
    async (request) => {
      await ctx.access(request, 'settings.manage');
      return fourEyesJson(await ctx.principals.fourEyes());
    },
  );

  app.put(
    '/api/v1/settings/four-eyes',
    { config: { access: 'settings.manage' }, schema: putFourEyesSchema },
    async (request) => {
      const principal = await ctx.access(request, 'settings.manage');
      const body = jsonObjectBody(request.body, ['reader_grants']);
      const value = parseReaderGrants(body.reader_grants);
      return fourEyesJson(
        await ctx.principals.setFourEyes(adminActor(principal, request.ip), value),
      );
    },
  );
}

export function fourEyesJson(settings: FourEyesSettings) {
  return {
    reader_grants: settings.readerGrants,
    changed_by: settings.changedBy,
    changed_at: settings.changedAtMs === null ? null : new Date(settings.changedAtMs).toISOString(),
  };
}
