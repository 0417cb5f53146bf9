import { DEFAULT_SOURCE_SETTINGS } from '../../monitor/sources/settings.js';

/**
 * The OpenAPI part for source coverage and clock skew: paths and schemas that
 * openapi.ts spreads into the document.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );
const nameParameter = {
  name: 'name',
  in: 'path',
  required: true,
  description: "Source name: 1–128 letters, digits, '.', '_' or '-'",
  schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
};
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const nullableInt = { type: ['integer', 'null'] };

export function sourcePaths(): Record<string, unknown> {
  return {
    '/api/v1/sources': {
      get: {
        summary: 'Expected sources with last event, rate, clock skew and silence (sources.read)',
        description:
          'Scoped grants see only their sources. Sources appear when declared, when an ingest key is made for them, or with their first event.',
        responses: {
          '200': {
            description: 'Sources',
            content: json({
              type: 'object',
              required: ['sources'],
              properties: { sources: { type: 'array', items: ref('Source') } },
            }),
          },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/v1/sources/{name}': {
      get: {
        summary: 'One source (sources.read)',
        parameters: [nameParameter],
        responses: {
          '200': { description: 'The source', content: json(ref('Source')) },
          ...errors(400, 401, 403, 404),
        },
      },
      put: {
        summary:
          'Declare a source or replace its declaration (sources.manage; audited source.update)',
        description:
          'Omitted fields take their defaults: expected_max_silence the server default, description null.',
        parameters: [nameParameter],
        requestBody: {
          required: false,
          content: json({
            type: 'object',
            additionalProperties: false,
            properties: {
              expected_max_silence: {
                type: ['string', 'null'],
                description:
                  'Longest quiet spell before a "source silent" alert: a duration like 15m, 1h30m (1s–366d); null: not monitored',
                examples: ['15m'],
              },
              description: { type: ['string', 'null'], maxLength: 1024 },
            },
          }),
        },
        responses: {
          '200': { description: 'The source as declared', content: json(ref('Source')) },
          ...errors(400, 401, 403, 409),
        },
      },
    },
  };
}

export function sourceSchemas(): Record<string, unknown> {
  return {
    Source: {
      type: 'object',
      required: [
        'name',
        'origin',
        'status',
        'expected_max_silence',
        'last_event',
        'events',
        'clock_skew',
      ],
      properties: {
        name: { type: 'string' },
        origin: { type: 'string', enum: ['declared', 'ingest_key', 'seen'] },
        description: { type: ['string', 'null'] },
        expected_max_silence: {
          type: ['string', 'null'],
          description: 'null: not monitored',
        },
        expected_max_silence_is_default: {
          type: 'boolean',
          description: `The server default applies (EVIDENT_SOURCE_MAX_SILENCE, default ${DEFAULT_SOURCE_SETTINGS.defaultMaxSilenceMs! / 60_000} min)`,
        },
        status: {
          type: 'string',
          enum: ['ok', 'silent', 'unmonitored'],
          description: 'silent: quiet for longer than expected_max_silence (exactly that is ok)',
        },
        silent_since: nullableTime,
        quiet_for_ms: { type: 'integer', minimum: 0 },
        silence_alert_id: { type: ['string', 'null'] },
        last_event: {
          type: ['object', 'null'],
          properties: {
            seq: { type: 'integer' },
            received_at: { type: 'string', format: 'date-time' },
            time: { type: 'string', format: 'date-time' },
          },
        },
        events: {
          type: 'object',
          properties: {
            total: { type: 'integer' },
            last_hour: { type: 'integer', description: 'By received_at, in whole minutes' },
            last_24h: { type: 'integer', description: 'By received_at, in whole hours' },
            per_minute_last_hour: { type: 'number' },
          },
        },
        clock_skew: {
          type: 'object',
          description:
            'received_at − time in ms over every event seen (positive: the source clock is behind). Quantiles come from a fixed-bucket histogram, interpolated within the bucket and clamped to the observed min and max.',
          properties: {
            count: { type: 'integer' },
            p50_ms: nullableInt,
            p95_ms: nullableInt,
            min_ms: nullableInt,
            max_ms: nullableInt,
            beyond_threshold: { type: 'integer' },
            threshold_ms: { type: 'integer' },
          },
        },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
      },
    },
    ClockSync: {
      type: 'object',
      required: ['synchronized', 'method', 'checked_at'],
      properties: {
        synchronized: { type: ['boolean', 'null'], description: 'null: no method could tell' },
        method: {
          type: 'string',
          enum: ['timedatectl', 'chronyc', 'ntpstat', 'systemd-timesyncd', 'none'],
        },
        checked_at: { type: 'string', format: 'date-time' },
        reason: { type: 'string', description: 'Why it is unknown' },
      },
    },
  };
}
