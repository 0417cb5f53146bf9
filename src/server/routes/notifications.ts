import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.js';
import { deliveryJson } from '../../monitor/notify/delivery-json.js';
import { parseNotificationSettings } from '../../monitor/notify/parse-settings.js';
import {
  DELIVERY_STATUSES,
  DeliveryQueue,
  type DeliveryStatus,
} from '../../monitor/notify/queue.js';
import { settingsUpdateEvent } from '../../monitor/notify/settings-audit.js';
import { settingsJson } from '../../monitor/notify/settings-json.js';
import { NotificationSettingsStore } from '../../monitor/notify/settings-store.js';
import { sendTestNotifications } from '../../monitor/notify/test-notification.js';
import { ulidGenerator } from '../../util/ids.js';
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
  const settings = new NotificationSettingsStore(ctx.store, ctx.secrets);
  const ids = ulidGenerator();
  const queue = new DeliveryQueue(ctx.store, ids);

  app.get('/api/v1/settings/notifications', async (request) => {
    await ctx.access(request, 'settings.manage');
    new QueryReader(request.query, []);
    return settingsJson(await settings.read());
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
    const saved = await settings.replace(input, ctx.clock.now());
    await ctx.audit.record({ ...settingsUpdateEvent(saved), principal, ip: request.ip });
    return { ...settingsJson(saved), generated_secrets: saved.generated };
  });

  app.post('/api/v1/notifications/test', async (request) => {
    const principal = await ctx.access(request, 'settings.manage');
    new QueryReader(request.query, []);
    const body = jsonObjectBody(request.body, ['channel'], { optional: true });
    const wanted = stringField(body, 'channel', { optional: true, max: 64 });
    const { settings: current } = await settings.read();
    // All enabled channels, or the one named (even when paused: test before enabling it).
    const channels = current.channels.filter((c) =>
      wanted === undefined ? c.enabled : c.id === wanted,
    );
    if (channels.length === 0) {
      throw wanted === undefined
        ? new AppError(
            'no_notification_channels',
            'no enabled notification channels; PUT /api/v1/settings/notifications first',
          )
        : new AppError('not_found', `no notification channel "${wanted}"`);
    }
    const now = ctx.clock.now();
    const results = await sendTestNotifications(current, channels, ids(now), now);
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'notification.test',
      target: { type: 'settings', id: 'notifications' },
      category: 'config',
      details: {
        channels: results.map((r) => r.channel.id),
        failed: results.filter((r) => !r.result.ok).map((r) => r.channel.id),
      },
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
    const docs = await queue.list(status, { limit, ...(before ? { before } : {}) });
    return {
      deliveries: docs.map((doc) => deliveryJson(doc, status, ctx.clock.now())),
      next_cursor: docs.length < limit ? null : (docs.at(-1)?.id ?? null),
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
      const replayed = await queue.replay(id, ctx.clock.now());
      if (!replayed) throw new AppError('not_found', `no dead letter ${id}`);
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'notification.replay',
        target: { type: 'notification_delivery', id },
        category: 'config',
        details: {
          channel: replayed.channelId,
          alert_id: replayed.message.alert.id,
          replays: replayed.replays,
        },
      });
      const doc = { id, value: replayed, version: 1, updatedAtMs: ctx.clock.now() };
      return reply.status(202).send({ delivery: deliveryJson(doc, 'queued', ctx.clock.now()) });
    },
  );
}
