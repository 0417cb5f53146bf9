import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { deliveryJson } from '../../monitor/notify/delivery-json.js';
import { parseNotificationSettings } from '../../monitor/notify/parse-settings.js';
import type { DeliveryStatus } from '../../monitor/notify/queue.js';
import { settingsJson } from '../../monitor/notify/settings-json.js';
import type { ServerContext } from '../context.js';
import { parseJsonBody } from '../http/json-body.js';
import {
  DELIVERIES_DEFAULT_LIMIT,
  getSettingsSchema,
  listDeadLettersSchema,
  listDeliveriesSchema,
  putSettingsSchema,
  replaySchema,
  testNotificationSchema,
} from './notifications-schemas.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * Notification settings (webhooks, e-mail) and the delivery queue (docs/notifications.md).
 * Everything here is `settings.manage`; changes, tests and replays are audited.
 */
export function notificationRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const manage = { access: 'settings.manage' } as const;

  app.get(
    '/api/v1/settings/notifications',
    { config: manage, schema: getSettingsSchema },
    async (request) => {
      await ctx.access(request, 'settings.manage');
      return settingsJson(await ctx.notificationSettings.read());
    },
  );

  app.put(
    '/api/v1/settings/notifications',
    { config: manage, schema: putSettingsSchema },
    async (request) => {
      const principal = await ctx.access(request, 'settings.manage');
      const body = parseJsonBody(request.body);
      if (body === undefined) {
        throw new AppError('empty_body', 'the body is empty; send the settings as JSON', {
          path: '$',
        });
      }
      const input = parseNotificationSettings(body);
      const saved = await ctx.notificationSettings.replace(input, { principal, ip: request.ip });
      return { ...settingsJson(saved), generated_secrets: saved.generated };
    },
  );

  app.post<{ Body: { channel?: string } }>(
    '/api/v1/notifications/test',
    { config: manage, schema: testNotificationSchema },
    async (request) => {
      const principal = await ctx.access(request, 'settings.manage');
      const results = await ctx.notificationSettings.sendTest(request.body.channel, {
        principal,
        ip: request.ip,
      });
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
    },
  );

  // Delivery history says which receivers answered what and when: it is for the people who
  // manage the channels, not for every alert reader.
  const listDeliveries = async (
    request: Parameters<ServerContext['access']>[0],
    fixedStatus?: DeliveryStatus,
  ) => {
    await ctx.access(request, 'settings.manage');
    const query = request.query as { status?: DeliveryStatus; limit?: number; cursor?: string };
    const status = fixedStatus ?? query.status ?? 'queued';
    const limit = query.limit ?? DELIVERIES_DEFAULT_LIMIT;
    const before = query.cursor;
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

  app.get(
    '/api/v1/notifications/deliveries',
    { config: manage, schema: listDeliveriesSchema },
    (request) => listDeliveries(request),
  );
  app.get(
    '/api/v1/notifications/dead-letters',
    { config: manage, schema: listDeadLettersSchema },
    (request) => listDeliveries(request, 'dead'),
  );

  app.post<{ Params: { id: string } }>(
    '/api/v1/notifications/dead-letters/:id/replay',
    { config: manage, schema: replaySchema },
    async (request, reply) => {
      const principal = await ctx.access(request, 'settings.manage');
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
