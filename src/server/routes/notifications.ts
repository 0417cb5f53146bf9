import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { deliveryJson } from '../../monitor/notify/delivery-json.js';
import { parseNotificationSettings } from '../../monitor/notify/parse-settings.js';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../monitor/notify/queue.js';
import { settingsJson } from '../../monitor/notify/settings-json.js';
import type { ServerContext } from '../context.js';
import { jsonObjectBody, parseJsonBody, stringField } from '../http/json-body.js';
import { QueryReader } from '../http/query.js';

export const DELIVERIES_DEFAULT_LIMIT = 50;
export const DELIVERIES_MAX_LIMIT = 500;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Notification settings (webhooks, e-mail) and the delivery queue (docs/notifications.md).
 * Everything here is `settings.manage`; changes, tests and replays are audited.
 */
export function notificationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.get('/api/v1/settings/notifications', async (request) => {
    await ctx.access(request, 'settings.manage');
    new QueryReader(request.query, []);
    return settingsJson(await ctx.notificationSettings.read());
  });

  app.put('/api/v1/settings/notifications', async (request) => {
    const principal = await ctx.access(request, 'settings.manage');
    new QueryReader(request.query, []);
    const body = parseJsonBody(request.body);
    if (body === undefined) {
      throw new AppError('empty_body', 'the body is empty; send the settings as JSON', {
        path: '$',
      });
    }
    const input = parseNotificationSettings(body);
    const saved = await ctx.notificationSettings.replace(input, { principal, ip: request.ip });
    return { ...settingsJson(saved), generated_secrets: saved.generated };
  });

  app.post('/api/v1/notifications/test', async (request) => {
    const principal = await ctx.access(request, 'settings.manage');
    new QueryReader(request.query, []);
    const body = jsonObjectBody(request.body, ['channel'], { optional: true });
    const wanted = stringField(body, 'channel', { optional: true, max: 64 });
    const results = await ctx.notificationSettings.sendTest(wanted, { principal, ip: request.ip });
    return {
      results: results.map(({ channel, result }) => ({
        channel: channel.id,
        type: channel.type,
        ok: result.ok,
        ...(result.status !== undefined ? { status: result.status } : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
        duration_ms: result.durationMs,
      })),
    };
  });

  // Delivery history says which receivers answered what and when: it is for the people who
  // manage the channels, not for every alert reader.
  const listDeliveries = async (
    request: Parameters<ServerContext['access']>[0],
    fixedStatus?: DeliveryStatus,
  ) => {
    await ctx.access(request, 'settings.manage');
    const q = new QueryReader(
      request.query,
      fixedStatus ? ['limit', 'cursor'] : ['status', 'limit', 'cursor'],
    );
    const status = fixedStatus ?? q.oneOf('status', DELIVERY_STATUSES) ?? 'queued';
    const limit =
      q.integer('limit', { min: 1, max: DELIVERIES_MAX_LIMIT }) ?? DELIVERIES_DEFAULT_LIMIT;
    const before = q.string('cursor', 64);
    if (before !== undefined && !ULID.test(before)) {
      throw new AppError('invalid_cursor', 'query parameter "cursor" must be a next_cursor', {
        path: 'cursor',
      });
    }
    const page = await ctx.deliveries.page(status, { limit, ...(before ? { before } : {}) });
    const now = ctx.clock.now();
    return {
      deliveries: page.deliveries.map((doc) => deliveryJson(doc, status, now)),
      next_cursor: page.next,
    };
  };

  app.get('/api/v1/notifications/deliveries', (request) => listDeliveries(request));
  app.get('/api/v1/notifications/dead-letters', (request) => listDeliveries(request, 'dead'));

  app.post<{ Params: { id: string } }>(
    '/api/v1/notifications/dead-letters/:id/replay',
    async (request, reply) => {
      const principal = await ctx.access(request, 'settings.manage');
      new QueryReader(request.query, []);
      const id = request.params.id;
      if (!ULID.test(id)) {
        throw new AppError('invalid_field', `"${id}" is not a delivery id (a ULID)`, {
          path: 'id',
        });
      }
      const replayed = await ctx.deliveries.replay(id, { principal, ip: request.ip });
      return reply
        .status(202)
        .send({ delivery: deliveryJson(replayed, 'queued', ctx.clock.now()) });
    },
  );
}
