import type { FastifyInstance } from 'fastify';
import { adminActor } from '../../access/admin/admin-context.js';
import {
  type FourEyesSettings,
  parseReaderGrants,
  readFourEyes,
  setReaderGrants,
} from '../../access/admin/four-eyes-settings.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';
import { adminContextOf } from './principals.js';

/**
 * Four-eyes settings (settings.manage): whether reading roles for principals an admin controls
 * wait for a second admin. Turning it off is for one-person installs and is itself an event.
 */
export function fourEyesRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const admin = adminContextOf(ctx);

  app.get('/api/v1/settings/four-eyes', async (request) => {
    await ctx.access(request, 'settings.manage');
    new QueryReader(request.query, []);
    return fourEyesJson(await readFourEyes(ctx.store));
  });

  app.put('/api/v1/settings/four-eyes', async (request) => {
    const principal = await ctx.access(request, 'settings.manage');
    const body = jsonObjectBody(request.body, ['reader_grants']);
    const value = parseReaderGrants(body.reader_grants);
    return fourEyesJson(await setReaderGrants(admin, adminActor(principal, request.ip), value));
  });
}

export function fourEyesJson(settings: FourEyesSettings) {
  return {
    reader_grants: settings.readerGrants,
    changed_by: settings.changedBy,
    changed_at: settings.changedAtMs === null ? null : new Date(settings.changedAtMs).toISOString(),
  };
}
