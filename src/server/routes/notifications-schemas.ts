import {
  MAX_ALLOW_INTERNAL,
  MAX_CHANNELS,
  MAX_RECIPIENTS,
  MIN_SECRET_LENGTH,
} from '../../monitor/notify/parse-settings.js';
import { DELIVERY_STATUSES } from '../../monitor/notify/queue.js';
import { SMTP_TLS_MODES, WEBHOOK_FORMATS } from '../../monitor/notify/settings.js';
import { ALERT_SEVERITIES } from '../../monitor/types.js';
import {
  bool,
  CURSOR_PARAMETER,
  errorResponses,
  handlerParsedBody,
  int,
  type JsonSchema,
  jsonResponse,
  NEXT_CURSOR,
  NO_QUERY,
  nullable,
  object,
  queryChoice,
  queryInteger,
  querystring,
  ref,
  str,
  time,
} from '../http/schemas.js';

export const DELIVERIES_DEFAULT_LIMIT = 50;
export const DELIVERIES_MAX_LIMIT = 500;

const channelId = str('Channel id: letters, digits, _ and -', {
  pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$',
});
const severity = { type: 'string', enum: ALERT_SEVERITIES };
const allowInternal: JsonSchema = {
  type: 'array',
  maxItems: MAX_ALLOW_INTERNAL,
  items: { type: 'string' },
  description:
    'CIDRs (10.0.0.0/8), addresses or host names of internal receivers webhooks may reach; by default only public addresses are (loopback, private, link-local and other special ranges are refused at connect time)',
};
const deliveryFields = {
  max_attempts: { type: 'integer', minimum: 1, maximum: 50, default: 10 },
  timeout_ms: { type: 'integer', minimum: 100, maximum: 120000, default: 10000 },
  backoff_initial_ms: { type: 'integer', minimum: 10, default: 30000 },
  backoff_max_ms: { type: 'integer', maximum: 86400000, default: 3600000 },
};
const smtpFields = {
  host: str('Relay host'),
  port: { type: 'integer', minimum: 1, maximum: 65535, description: 'default 465/587/25 by tls' },
  tls: { type: 'string', enum: SMTP_TLS_MODES, default: 'starttls' },
  username: str('SMTP AUTH user'),
  ca: str('PEM certificates to trust for this relay'),
};
const common = { id: channelId, enabled: bool('Sends when true'), min_severity: severity };

/** The settings as GET shows them (settings-json.ts): every secret replaced by a flag. */
const settings = object(
  {
    version: int('0 when never saved'),
    updated_at: nullable(time('Last saved')),
    public_url: str('Base of links in payloads'),
    allow_internal: allowInternal,
    channels: {
      type: 'array',
      items: {
        oneOf: [
          object(
            {
              type: { const: 'webhook' },
              ...common,
              url: str('Where the signed POST goes'),
              format: { type: 'string', enum: WEBHOOK_FORMATS },
              secret_set: { const: true },
            },
            ['type', 'id', 'enabled', 'min_severity', 'url', 'format', 'secret_set'],
          ),
          object(
            {
              type: { const: 'email' },
              ...common,
              smtp: object({ ...smtpFields, password_set: bool('A password is stored') }, [
                'host',
                'port',
                'tls',
                'password_set',
              ]),
              from: str('Sender address'),
              to: { type: 'array', items: { type: 'string' } },
            },
            ['type', 'id', 'enabled', 'min_severity', 'smtp', 'from', 'to'],
          ),
        ],
      },
    },
    delivery: object(deliveryFields, Object.keys(deliveryFields)),
  },
  ['version', 'updated_at', 'allow_internal', 'channels', 'delivery'],
);

/** What PUT takes; parse-settings.ts checks it (its errors name the field, as before). */
const settingsInput = object({
  version: { type: 'integer', description: 'Refuse the write unless this is current' },
  public_url: str('Base of links in payloads, e.g. https://evident.example.com'),
  allow_internal: allowInternal,
  channels: {
    type: 'array',
    maxItems: MAX_CHANNELS,
    items: {
      oneOf: [
        object(
          {
            type: { const: 'webhook' },
            ...common,
            url: str('http(s) URL the signed POST goes to', { format: 'uri' }),
            format: { type: 'string', enum: WEBHOOK_FORMATS, default: 'json' },
            secret: str('Signing secret (write-only)', { minLength: MIN_SECRET_LENGTH }),
            regenerate_secret: { type: 'boolean' },
          },
          ['type', 'id', 'url'],
        ),
        object(
          {
            type: { const: 'email' },
            ...common,
            smtp: object({ ...smtpFields, password: str('SMTP AUTH password (write-only)') }, [
              'host',
            ]),
            from: str('Sender address'),
            to: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_RECIPIENTS },
          },
          ['type', 'id', 'smtp', 'from', 'to'],
        ),
      ],
    },
  },
  delivery: object(deliveryFields),
});

const deliveryPage = jsonResponse(
  'A page, newest first',
  object({ deliveries: { type: 'array', items: ref('Delivery') }, next_cursor: NEXT_CURSOR }, [
    'deliveries',
    'next_cursor',
  ]),
);
const limit = queryInteger(`page size (default ${DELIVERIES_DEFAULT_LIMIT})`, {
  minimum: 1,
  maximum: DELIVERIES_MAX_LIMIT,
});

export const getSettingsSchema = {
  summary: 'Notification channels and delivery settings, without secrets (settings.manage)',
  querystring: NO_QUERY,
  response: { 200: jsonResponse('Settings', settings), ...errorResponses(400, 401, 403) },
};

export const putSettingsSchema = {
  summary: 'Replace the notification settings (settings.manage; audited settings.update)',
  description:
    'Secrets are write-only. A webhook without `secret` keeps its secret, or gets a new one (returned once in generated_secrets) when the channel is new or `regenerate_secret` is true; an SMTP password left out is kept for the same username. Sending back `version` from GET refuses the write (409) if someone changed the settings since. The change and its settings.update event commit together.',
  querystring: NO_QUERY,
  // Checked by parse-settings.ts, whose errors name the exact field (`evident notifications
  // apply` maps them to file:line:col); the schema documents it.
  body: handlerParsedBody(settingsInput),
  response: {
    200: jsonResponse('Saved', {
      ...settings,
      properties: {
        ...(settings.properties as Record<string, JsonSchema>),
        generated_secrets: {
          type: 'object',
          additionalProperties: { type: 'string' },
          description: 'Webhook signing secrets made by this request, by channel id: shown once',
        },
      },
      required: [...(settings.required as string[]), 'generated_secrets'],
    }),
    ...errorResponses(400, 401, 403, 409),
  },
};

export const testNotificationSchema = {
  summary: 'Send a test notification now, on one channel or all (settings.manage; audited)',
  querystring: NO_QUERY,
  body: object({
    channel: str('Channel id (even a paused one); default: every enabled channel', {
      minLength: 1,
      maxLength: 64,
    }),
  }),
  response: {
    200: jsonResponse(
      'One result per channel',
      object(
        {
          results: {
            type: 'array',
            items: object(
              {
                channel: str('Channel id'),
                type: { type: 'string', enum: ['webhook', 'email'] },
                ok: bool('Delivered'),
                status: int('HTTP status or SMTP reply code'),
                error: str('Why it failed'),
                duration_ms: int('How long it took'),
              },
              ['channel', 'type', 'ok', 'duration_ms'],
            ),
          },
        },
        ['results'],
      ),
    ),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const listDeliveriesSchema = {
  summary: 'Deliveries by status, newest first (settings.manage)',
  querystring: querystring({
    status: queryChoice('default queued', DELIVERY_STATUSES),
    limit,
    cursor: CURSOR_PARAMETER,
  }),
  response: { 200: deliveryPage, ...errorResponses(400, 401, 403) },
};

export const listDeadLettersSchema = {
  summary: 'Deliveries that ran out of attempts, newest first (settings.manage)',
  querystring: querystring({ limit, cursor: CURSOR_PARAMETER }),
  response: { 200: deliveryPage, ...errorResponses(400, 401, 403) },
};

export const replaySchema = {
  summary: 'Queue a dead letter again for a fresh set of attempts (settings.manage; audited)',
  description: 'The replay and its notification.replay event commit together.',
  params: object({ id: str('Delivery id (ULID)') }, ['id']),
  querystring: NO_QUERY,
  response: {
    202: jsonResponse('Queued', object({ delivery: ref('Delivery') }, ['delivery'])),
    ...errorResponses(400, 401, 403, 404),
  },
};
