/**
 * The building blocks of route schemas, and the components every route shares (the error
 * body, the event record and entry, cursors). A route's own schemas live beside it in
 * `routes/<resource>-schemas.ts`; docs/architecture.md has the convention.
 *
 * These are plain JSON Schema objects. Fastify validates requests with them
 * (http/schema-validation.ts), @fastify/swagger turns them into /api/v1/openapi.json, and a test
 * checks real responses against the response schemas (they do not drive serialisation).
 */
import { CATEGORIES, OUTCOMES, SENSITIVITIES, SEVERITIES } from '../../core/record/types.js';
import { ERROR_REASONS } from '../../error-reasons.js';
import { DEFAULT_SOURCE_SETTINGS } from '../../monitor/sources/settings.js';
import { ALERT_SEVERITIES } from '../../monitor/types.js';

export type JsonSchema = Record<string, unknown>;

// ---------------------------------------------------------------- plain values

export const str = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'string',
  description,
  ...extra,
});
export const int = (description: string, extra: JsonSchema = {}): JsonSchema => ({
  type: 'integer',
  minimum: 0,
  description,
  ...extra,
});
export const bool = (description: string): JsonSchema => ({ type: 'boolean', description });
export const nullable = (schema: JsonSchema): JsonSchema => ({
  ...schema,
  type: [schema.type, 'null'],
});
/** An RFC 3339 time the server wrote (always UTC with milliseconds). */
export const time = (description: string): JsonSchema => str(description, { format: 'date-time' });

/** An object whose properties are all listed: anything else is refused (or, in a response, a test failure). */
export function object(
  properties: Record<string, JsonSchema>,
  required: readonly string[] = [],
  extra: JsonSchema = {},
): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    ...(required.length === 0 ? {} : { required: [...required] }),
    properties,
    ...extra,
  };
}

/** A shared component by name (its `$id`); the OpenAPI document has it under components.schemas. */
export const ref = (id: string): JsonSchema => ({ $ref: `${id}#` });

// ---------------------------------------------------------------- query strings

const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f]*$';

/**
 * A text query parameter: given once, not empty, bounded, without control characters (a typo
 * or a stray byte must not silently widen a search). Extra keys (enum, pattern with its
 * `x-problem` wording) narrow it.
 */
export const queryText = (
  description: string,
  options: { maxLength?: number } & JsonSchema = {},
): JsonSchema => {
  const { maxLength = 256, ...extra } = options;
  return {
    type: 'string',
    description,
    minLength: 1,
    maxLength,
    pattern: NO_CONTROL_CHARACTERS,
    'x-problem': 'must not contain control characters',
    ...extra,
  };
};

/** A non-negative integer query parameter (Ajv turns the text into a number). */
export const queryInteger = (
  description: string,
  range: { minimum?: number; maximum?: number } = {},
): JsonSchema => ({ type: 'integer', description, minimum: 0, ...range });

/** One of a closed list of words. */
export const queryChoice = (description: string, values: readonly string[]): JsonSchema => ({
  type: 'string',
  description,
  enum: [...values],
});

const RFC3339 =
  '^\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?([Zz]|[+-]\\d{2}:\\d{2})$';
const DAY = '^\\d{4}-\\d{2}-\\d{2}$';

/** An RFC 3339 timestamp with an offset (http/query-values.ts turns it into milliseconds). */
export const queryTimestamp = (description: string): JsonSchema =>
  queryText(description, {
    maxLength: 40,
    pattern: RFC3339,
    'x-problem': 'must be an RFC 3339 timestamp with an offset, e.g. 2026-11-22T09:00:00Z',
  });

/** A bound of a time range: an RFC 3339 timestamp, or a date alone, which is that day in UTC. */
export const queryInstant = (description: string): JsonSchema =>
  queryText(description, {
    maxLength: 40,
    pattern: `(${RFC3339})|(${DAY})`,
    'x-problem':
      'must be an RFC 3339 timestamp with an offset (2026-11-22T09:00:00Z) or a date, which means that day in UTC (2026-11-22)',
  });

/** The query string of a route: only the parameters listed, each at most once. */
export const querystring = (
  properties: Record<string, JsonSchema>,
  required: readonly string[] = [],
): JsonSchema => object(properties, required);

/**
 * The query string of a public page or probe that ignores its parameters (a dashboard link
 * carries its client-side filters; a load balancer may add a cache-buster).
 */
export const IGNORED_QUERY: JsonSchema = {
  type: 'object',
  description: 'Any parameters; they are ignored',
};

/** The query string of a route that takes no parameters (any parameter is a 400). */
export const NO_QUERY: JsonSchema = querystring({});

/** The `cursor` parameter of a paged list: the previous page's next_cursor, opaque. */
export const CURSOR_PARAMETER = queryText('next_cursor of the previous page', { maxLength: 64 });
/** A page's `next_cursor`: null on the last page. */
export const NEXT_CURSOR: JsonSchema = {
  type: ['string', 'null'],
  description: 'Pass as cursor for the next page; null on the last page',
};

// ---------------------------------------------------------------- bodies

/**
 * A body the handler parses itself (the event ingest formats): the schema documents it, the
 * validator passes it through untouched, as a string.
 */
export function handlerParsedBody(schema: JsonSchema): JsonSchema;
export function handlerParsedBody(
  description: string,
  content: Record<string, JsonSchema>,
): JsonSchema;
/**
 * With one schema: a JSON body whose values the handler checks (its parser words today's
 * errors); the schema documents it. With media types: one schema each (ingest formats).
 */
export function handlerParsedBody(
  first: JsonSchema | string,
  content?: Record<string, JsonSchema>,
): JsonSchema {
  if (typeof first !== 'string') return { ...first, 'x-parsed-by-handler': true };
  return {
    description: first,
    'x-parsed-by-handler': true,
    // Fastify compiles each media type's schema on its own: each carries the mark.
    content: Object.fromEntries(
      Object.entries(content ?? {}).map(([type, schema]) => [
        type,
        { schema: { ...schema, 'x-parsed-by-handler': true } },
      ]),
    ),
  };
}

// ---------------------------------------------------------------- responses

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input; `error.path` names the field or parameter to fix',
  401: 'Missing, malformed, expired, revoked or unknown token (one answer for all)',
  403: 'The credential may not do this: no role of it allows the action (docs/security.md has the matrix), or a separation-of-duties rule refuses it',
  404: 'Not found',
  410: 'Gone: the payload was purged by retention (the message names the retention.purge event’s seq)',
  409: 'A conflict with the current state: an event id stored with other content, a name taken, the last admin, a request no longer pending',
  413: 'Body or canonical record too large',
  415: 'Unsupported Content-Type',
  429: 'Too many requests: wait as long as Retry-After says, then retry',
  500: 'A fault inside the server; the body says nothing of it (the server log has the details)',
  503: 'The log could not commit; retry with the same event ids',
};

/** The error answers a route can give, each with today's `{"error":{…}}` body. */
export function errorResponses(...statuses: number[]): Record<string, JsonSchema> {
  return Object.fromEntries(
    statuses.map((status) => [
      String(status),
      { description: ERROR_TEXT[status] ?? 'Error', ...ref('Error') },
    ]),
  );
}

/** A JSON answer. */
export const jsonResponse = (description: string, schema: JsonSchema): JsonSchema => ({
  description,
  ...schema,
});

/** A non-JSON answer (text, HTML, a download): its media types, each with a schema. */
export const contentResponse = (
  description: string,
  content: Record<string, JsonSchema>,
): JsonSchema => ({
  description,
  content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema }])),
});

// ---------------------------------------------------------------- shared components

const ErrorBody: JsonSchema = {
  $id: 'Error',
  ...object(
    {
      error: object(
        {
          code: str('The HTTP category (bad_request, not_found, …), kept for older clients'),
          reason: {
            type: 'string',
            enum: ERROR_REASONS,
            description: 'What went wrong, precisely: branch on this (docs/api.md, Error reasons)',
          },
          message: str('What to fix'),
          path: str('JSON path of the bad field, or the parameter name'),
        },
        ['code', 'reason', 'message'],
      ),
    },
    ['error'],
  ),
};

const submittedProperties = {
  id: str(
    'Idempotency key: a ULID or UUID. The server makes a ULID when absent. Retrying with the same id and content returns the stored entry; other content under the same id is a 409.',
  ),
  time: str(
    'When it happened, by the source clock (RFC 3339 with an offset). Normalised to UTC with milliseconds; sub-millisecond digits are truncated.',
    { format: 'date-time' },
  ),
  source: str('Optional; must equal the source bound to the ingest key if given.'),
  actor: object(
    {
      id: str('Who acted', { minLength: 1, maxLength: 256 }),
      type: str('user, service, …', { maxLength: 64 }),
      name: str('Display name', { maxLength: 256 }),
      ip: str('IPv4 or IPv6 address'),
      session: str('Session id', { maxLength: 256 }),
    },
    ['id'],
  ),
  action: str('Dotted verb <object>.<verb>, e.g. customer.read', {
    pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+$',
    maxLength: 128,
  }),
  target: object(
    {
      type: str('Kind of object', { maxLength: 64 }),
      id: str('Which object', { minLength: 1, maxLength: 256 }),
      name: str('Display name', { maxLength: 256 }),
      sensitivity: { type: 'string', enum: SENSITIVITIES },
    },
    ['id'],
  ),
  outcome: { type: 'string', enum: OUTCOMES },
  reason: str('Why: ticket, query text, error', { maxLength: 8192 }),
  details: {
    type: 'object',
    description:
      'Free-form JSON; integers only (no floats), strings without NUL; bounded by the record cap',
  },
  category: { type: 'string', enum: CATEGORIES },
  severity: { type: 'string', enum: SEVERITIES },
  request: object({
    id: str('Request id'),
    method: str('HTTP method'),
    path: str('Request path'),
    status: { type: 'integer', minimum: 100, maximum: 599 },
  }),
  trace_id: str('Distributed trace id'),
  tenant: str('Tenant'),
};

/** One event as a sender submits it (POST /api/v1/events; core/record/validate.ts checks it). */
const SubmittedRecord: JsonSchema = {
  $id: 'SubmittedRecord',
  ...object(submittedProperties, ['time', 'actor', 'action', 'outcome']),
};

/** What a leaf commits to: the submitted fields plus what the server adds. */
const RecordSchema: JsonSchema = {
  $id: 'Record',
  description:
    'What a leaf commits to: the submitted fields plus received_at (server time), source (from the key) and id.',
  ...object(
    {
      ...submittedProperties,
      received_at: str('Server time', { format: 'date-time' }),
      historical: {
        const: true,
        description: 'Set by the server on a declared backfill (POST ?historical=true)',
      },
    },
    ['id', 'time', 'received_at', 'source', 'actor', 'action', 'outcome'],
  ),
};

/** Entry flags, outside the record (which is what was hashed). */
export const ENTRY_SKEW_PROPERTIES = {
  flags: {
    type: 'array',
    items: { type: 'string', enum: ['historical', 'late', 'clock_skew'] },
    description:
      'Present only when set, outside the record (which is what was hashed): historical = a declared backfill (record.historical); late = received more than EVIDENT_LATE_EVENT_BOUND (15m) after its time (the rules never let it open an alert on its own); clock_skew = |received_at − time| exceeds EVIDENT_MAX_CLOCK_SKEW, for entries that are not a declared backfill',
  },
  skew_ms: { type: 'integer', description: 'received_at − time, with flags' },
};

/** One stored event: its place in the tree, its leaf hash and its record. */
const Entry: JsonSchema = {
  $id: 'Entry',
  ...object(
    {
      seq: int('Leaf index'),
      leaf_hash: str('base64 SHA-256(0x00 ‖ JCS(record))'),
      record: {
        anyOf: [ref('Record'), { type: 'null' }],
        description: 'null when retention purged the payload (then `purged` is true)',
      },
      purged: {
        const: true,
        description: 'The payload was purged by retention (docs/retention.md)',
      },
      source: str('With purged: the source (the record is gone; verify checks the purge)'),
      received_at: time('With purged: when the server received it'),
      actor_id: str(
        'With purged, in raw log pages: the `sha256:<hex>` digest of the actor id the purge left (a column, not hashed), so verify --url can replay legal holds on a person',
      ),
      target_id: {
        type: ['string', 'null'],
        description:
          'With purged, in raw log pages: the `sha256:<hex>` digest of the target id the purge left, or null (a column, not hashed)',
      },
      ...ENTRY_SKEW_PROPERTIES,
    },
    ['seq', 'leaf_hash', 'record'],
  ),
};

/** Whether the host clock is synchronised (/healthz, the sources routes). */
const ClockSync: JsonSchema = {
  $id: 'ClockSync',
  ...object(
    {
      synchronized: { type: ['boolean', 'null'], description: 'null: no method could tell' },
      method: {
        type: 'string',
        enum: ['timedatectl', 'chronyc', 'ntpstat', 'systemd-timesyncd', 'none'],
      },
      checked_at: time('When it was last checked'),
      reason: str('Why it is unknown'),
    },
    ['synchronized', 'method', 'checked_at'],
  ),
};

const nullableInt = (description: string): JsonSchema => ({
  type: ['integer', 'null'],
  description,
});

/** One source as the API shows it (presenters/source.ts). */
const Source: JsonSchema = {
  $id: 'Source',
  ...object(
    {
      name: str('Source name'),
      origin: {
        type: 'string',
        enum: ['declared', 'ingest_key', 'seen'],
        description: 'How it entered the registry',
      },
      description: nullable(str('What it is')),
      expected_max_silence: nullable(str('A duration like 15m; null: not monitored')),
      expected_max_silence_is_default: {
        type: 'boolean',
        description: `The server default applies (EVIDENT_SOURCE_MAX_SILENCE, default ${DEFAULT_SOURCE_SETTINGS.defaultMaxSilenceMs! / 60_000} min)`,
      },
      status: {
        type: 'string',
        enum: ['ok', 'silent', 'unmonitored'],
        description: 'silent: quiet for longer than expected_max_silence (exactly that is ok)',
      },
      silent_since: nullable(time('Start of the current silence')),
      quiet_for_ms: nullableInt('Since the last event (or since it was registered)'),
      silence_alert_id: nullable(str('The alert raised for the current silence')),
      last_event: {
        ...object(
          {
            seq: int('Leaf index'),
            received_at: time('Server time'),
            time: time('Source time'),
          },
          ['seq', 'received_at', 'time'],
        ),
        type: ['object', 'null'],
      },
      events: object(
        {
          total: int('Events seen'),
          last_hour: int('By received_at, in whole minutes'),
          last_24h: int('By received_at, in whole hours'),
          per_minute_last_hour: { type: 'number', minimum: 0 },
        },
        ['total', 'last_hour', 'last_24h', 'per_minute_last_hour'],
      ),
      clock_skew: object(
        {
          count: int('Events measured'),
          p50_ms: nullableInt('Median received_at − time'),
          p95_ms: nullableInt('95th percentile'),
          min_ms: nullableInt('Smallest'),
          max_ms: nullableInt('Largest'),
          beyond_threshold: int('Events beyond the threshold'),
          threshold_ms: int('EVIDENT_MAX_CLOCK_SKEW'),
        },
        ['count', 'p50_ms', 'p95_ms', 'min_ms', 'max_ms', 'beyond_threshold', 'threshold_ms'],
        {
          description:
            'received_at − time in ms over every event seen (positive: the source clock is behind). Quantiles come from a fixed-bucket histogram, interpolated within the bucket and clamped to the observed min and max.',
        },
      ),
      created_at: time('Registered'),
      updated_at: time('Last declared or changed'),
    },
    ['name', 'origin', 'status', 'expected_max_silence', 'last_event', 'events', 'clock_skew'],
  ),
};

/** One notification delivery (monitor/notify/delivery-json.ts). */
const Delivery: JsonSchema = {
  $id: 'Delivery',
  ...object(
    {
      id: str('Delivery id (ULID); the Evident-Delivery header'),
      status: { type: 'string', enum: ['queued', 'sending', 'delivered', 'dead'] },
      channel: str('Channel id'),
      event: { type: 'string', enum: ['alert.raised', 'notification.test'] },
      alert: object({
        id: str('Alert id'),
        rule_id: str('Rule'),
        title: str('Title'),
        severity: { type: 'string', enum: ALERT_SEVERITIES },
        sources: { type: 'array', items: { type: 'string' } },
      }),
      attempts: int('Attempts started'),
      replays: int('Times replayed from the dead letters'),
      created_at: time('Queued'),
      next_attempt_at: nullable(time('Next attempt (queued only)')),
      finished_at: nullable(time('Delivered or dead')),
      last_error: nullable(str('Why the last attempt failed')),
      history: {
        type: 'array',
        description: 'The last 10 attempts',
        items: object(
          {
            at: time('Started'),
            ok: bool('Delivered'),
            status: int('HTTP status or SMTP reply code'),
            error: str('Why it failed'),
            duration_ms: int('How long it took'),
          },
          ['at', 'ok', 'duration_ms'],
        ),
      },
    },
    ['id', 'status', 'channel', 'event', 'alert', 'attempts', 'created_at'],
  ),
};

/**
 * Schemas every route may reference with `ref(id)`. Registered once with Fastify (so the
 * OpenAPI document lists them under components.schemas) and with the validators.
 */
export const SHARED_SCHEMAS: readonly JsonSchema[] = [
  ErrorBody,
  SubmittedRecord,
  RecordSchema,
  Entry,
  ClockSync,
  Source,
  Delivery,
];
