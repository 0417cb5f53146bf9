import {
  MAX_ALLOW_INTERNAL,
  MAX_CHANNELS,
  MAX_RECIPIENTS,
  MIN_SECRET_LENGTH,
} from '../../monitor/notify/parse-settings.js';
import { DELIVERY_STATUSES } from '../../monitor/notify/queue.js';
import { CHANNEL_TYPES, SMTP_TLS_MODES, WEBHOOK_FORMATS } from '../../monitor/notify/settings.js';
import { ALERT_SEVERITIES } from '../../monitor/types.js';
import { DELIVERIES_DEFAULT_LIMIT, DELIVERIES_MAX_LIMIT } from '../routes/notifications.js';

/**
 * The OpenAPI part for notifications: paths and schemas that openapi.ts
 * spreads into the document. docs/notifications.md has the prose and the signature recipe.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );
const str = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  description,
  ...extra,
});
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const pageParameters = [
  {
    name: 'limit',
    in: 'query',
    description: `page size (default ${DELIVERIES_DEFAULT_LIMIT})`,
    schema: { type: 'integer', minimum: 1, maximum: DELIVERIES_MAX_LIMIT },
  },
  {
    name: 'cursor',
    in: 'query',
    description: 'next_cursor of the previous page',
    schema: { type: 'string' },
  },
];
const deliveryPage = {
  '200': { description: 'A page, newest first', content: json(ref('DeliveryPage')) },
  ...errors(400, 401, 403),
};

export function notificationPaths(): Record<string, unknown> {
  return {
    '/api/v1/settings/notifications': {
      get: {
        summary: 'Notification channels and delivery settings, without secrets (settings.manage)',
        responses: {
          '200': { description: 'Settings', content: json(ref('NotificationSettings')) },
          ...errors(401, 403),
        },
      },
      put: {
        summary: 'Replace the notification settings (settings.manage; audited settings.update)',
        description:
          'Secrets are write-only. A webhook without `secret` keeps its secret, or gets a new one (returned once in generated_secrets) when the channel is new or `regenerate_secret` is true; an SMTP password left out is kept for the same username. Sending back `version` from GET refuses the write (409) if someone changed the settings since.',
        requestBody: { required: true, content: json(ref('NotificationSettingsInput')) },
        responses: {
          '200': {
            description: 'Saved',
            content: json({
              allOf: [
                ref('NotificationSettings'),
                {
                  type: 'object',
                  required: ['generated_secrets'],
                  properties: {
                    generated_secrets: {
                      type: 'object',
                      additionalProperties: { type: 'string' },
                      description: 'Webhook signing secrets made by this request, by channel id',
                    },
                  },
                },
              ],
            }),
          },
          ...errors(400, 401, 403, 409),
        },
      },
    },
    '/api/v1/notifications/test': {
      post: {
        summary: 'Send a test notification now, on one channel or all (settings.manage; audited)',
        requestBody: {
          required: false,
          content: json({
            type: 'object',
            additionalProperties: false,
            properties: { channel: str('Channel id; default: every channel') },
          }),
        },
        responses: {
          '200': {
            description: 'One result per channel',
            content: json({
              type: 'object',
              required: ['results'],
              properties: {
                results: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['channel', 'type', 'ok', 'duration_ms'],
                    properties: {
                      channel: str('Channel id'),
                      type: { type: 'string', enum: CHANNEL_TYPES },
                      ok: { type: 'boolean' },
                      status: { type: 'integer', description: 'HTTP status or SMTP reply code' },
                      error: str('Why it failed'),
                      duration_ms: { type: 'integer' },
                    },
                  },
                },
              },
            }),
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    '/api/v1/notifications/deliveries': {
      get: {
        summary: 'Deliveries by status (settings.manage)',
        parameters: [
          {
            name: 'status',
            in: 'query',
            description: 'default queued',
            schema: { type: 'string', enum: DELIVERY_STATUSES },
          },
          ...pageParameters,
        ],
        responses: deliveryPage,
      },
    },
    '/api/v1/notifications/dead-letters': {
      get: {
        summary: 'Deliveries that ran out of attempts (settings.manage)',
        parameters: pageParameters,
        responses: deliveryPage,
      },
    },
    '/api/v1/notifications/dead-letters/{id}/replay': {
      post: {
        summary: 'Queue a dead letter again for a fresh set of attempts (settings.manage; audited)',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            schema: { type: 'string' },
            description: 'Delivery id (ULID)',
          },
        ],
        responses: {
          '202': {
            description: 'Queued',
            content: json({
              type: 'object',
              required: ['delivery'],
              properties: { delivery: ref('Delivery') },
            }),
          },
          ...errors(400, 401, 403, 404),
        },
      },
    },
  };
}

export function notificationSchemas(): Record<string, unknown> {
  const common = {
    type: { type: 'string', enum: CHANNEL_TYPES },
    id: str('Channel id: letters, digits, _ and -', {
      pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
    }),
    enabled: { type: 'boolean', default: true },
    min_severity: { type: 'string', enum: ALERT_SEVERITIES, default: 'low' },
  };
  const webhook = {
    url: str('http(s) URL the signed POST goes to', { format: 'uri' }),
    format: { type: 'string', enum: WEBHOOK_FORMATS, default: 'json' },
  };
  const email = {
    from: str('Sender address'),
    to: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_RECIPIENTS },
  };
  const smtp = {
    host: str('Relay host'),
    port: { type: 'integer', minimum: 1, maximum: 65535, description: 'default 465/587/25 by tls' },
    tls: { type: 'string', enum: SMTP_TLS_MODES, default: 'starttls' },
    username: str('SMTP AUTH user'),
    ca: str('PEM certificates to trust for this relay'),
  };
  const allowInternal = {
    type: 'array',
    maxItems: MAX_ALLOW_INTERNAL,
    items: { type: 'string' },
    description:
      'CIDRs (10.0.0.0/8), addresses or host names of internal receivers webhooks may reach; by default only public addresses are (loopback, private, link-local and other special ranges are refused at connect time)',
  };
  const delivery = {
    type: 'object',
    properties: {
      max_attempts: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
      timeout_ms: { type: 'integer', minimum: 100, maximum: 120000, default: 10000 },
      backoff_initial_ms: { type: 'integer', minimum: 10, default: 30000 },
      backoff_max_ms: { type: 'integer', maximum: 86400000, default: 3600000 },
    },
  };
  return {
    NotificationSettings: {
      type: 'object',
      required: ['version', 'updated_at', 'allow_internal', 'channels', 'delivery'],
      properties: {
        version: { type: 'integer', description: '0 when never saved' },
        updated_at: nullableTime,
        public_url: str('Base of links in payloads'),
        allow_internal: allowInternal,
        channels: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              ...common,
              ...webhook,
              secret_set: { type: 'boolean' },
              ...email,
              smtp: {
                type: 'object',
                properties: { ...smtp, password_set: { type: 'boolean' } },
              },
            },
          },
        },
        delivery,
      },
    },
    NotificationSettingsInput: {
      type: 'object',
      additionalProperties: false,
      properties: {
        version: { type: 'integer', description: 'Refuse the write unless this is current' },
        public_url: str('Base of links in payloads, e.g. https://evident.example.com'),
        allow_internal: allowInternal,
        channels: {
          type: 'array',
          maxItems: MAX_CHANNELS,
          items: {
            oneOf: [
              {
                type: 'object',
                required: ['type', 'id', 'url'],
                properties: {
                  ...common,
                  ...webhook,
                  secret: str('Signing secret (write-only)', { minLength: MIN_SECRET_LENGTH }),
                  regenerate_secret: { type: 'boolean' },
                },
              },
              {
                type: 'object',
                required: ['type', 'id', 'smtp', 'from', 'to'],
                properties: {
                  ...common,
                  ...email,
                  smtp: {
                    type: 'object',
                    required: ['host'],
                    additionalProperties: false,
                    properties: { ...smtp, password: str('SMTP AUTH password (write-only)') },
                  },
                },
              },
            ],
          },
        },
        delivery: { ...delivery, additionalProperties: false },
      },
    },
    Delivery: {
      type: 'object',
      required: ['id', 'status', 'channel', 'event', 'alert', 'attempts', 'created_at'],
      properties: {
        id: str('Delivery id (ULID); the Evident-Delivery header'),
        status: { type: 'string', enum: ['queued', 'sending', 'delivered', 'dead'] },
        channel: str('Channel id'),
        event: { type: 'string', enum: ['alert.raised', 'notification.test'] },
        alert: {
          type: 'object',
          properties: {
            id: str('Alert id'),
            rule_id: str('Rule'),
            title: str('Title'),
            severity: { type: 'string', enum: ALERT_SEVERITIES },
            sources: { type: 'array', items: { type: 'string' } },
          },
        },
        attempts: { type: 'integer' },
        replays: { type: 'integer' },
        created_at: { type: 'string', format: 'date-time' },
        next_attempt_at: nullableTime,
        finished_at: nullableTime,
        last_error: { type: ['string', 'null'] },
        history: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              at: { type: 'string', format: 'date-time' },
              ok: { type: 'boolean' },
              status: { type: 'integer' },
              error: { type: 'string' },
              duration_ms: { type: 'integer' },
            },
          },
        },
      },
    },
    DeliveryPage: {
      type: 'object',
      required: ['deliveries', 'next_cursor'],
      properties: {
        deliveries: { type: 'array', items: ref('Delivery') },
        next_cursor: { type: ['string', 'null'] },
      },
    },
  };
}
