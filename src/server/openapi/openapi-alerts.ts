import { MAX_TEXT_LENGTH } from '../../monitor/alerts/alert.js';
import { BULK_DEFAULT_MAX, BULK_MAX } from '../../monitor/alerts/bulk-handle.js';
import { ALERT_SEVERITIES, ALERT_STATES, DISPOSITIONS } from '../../monitor/types.js';
import { ALERT_CSV_COLUMNS } from '../presenters/alert.js';
import { ALERTS_DEFAULT_LIMIT, ALERTS_MAX_EXPORT, ALERTS_MAX_LIMIT } from '../routes/alerts.js';

/**
 * The OpenAPI part for alerts and their handling: paths and schemas that
 * openapi.ts spreads into the document.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );
const query = (name: string, description: string, schema: unknown = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});
const idParameter = {
  name: 'id',
  in: 'path',
  required: true,
  description: 'Alert id (a ULID)',
  schema: { type: 'string', pattern: '^[0-9A-HJKMNP-TV-Z]{26}$' },
};
const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const text = (description: string) => ({
  type: 'string',
  minLength: 1,
  maxLength: MAX_TEXT_LENGTH,
  description,
});

const FILTERS = [
  query('state', 'Only alerts in this state', { enum: [...ALERT_STATES] }),
  query('severity', 'Only alerts of this severity', { enum: [...ALERT_SEVERITIES] }),
  query('rule', 'Only alerts of this rule id'),
  query('source', 'Only alerts with this source among theirs'),
  query(
    'group',
    'Only alerts whose rule grouped by FIELD with this VALUE, written FIELD=VALUE (e.g. actor.id=u-1)',
  ),
  query('assignee', 'Only alerts assigned to this account (id or sign-in name)'),
  query('from', 'Raised at or after (RFC 3339)', { type: 'string', format: 'date-time' }),
  query('to', 'Raised at or before (RFC 3339)', { type: 'string', format: 'date-time' }),
];

/** One handling step: POST with a JSON body, answers the alert as it then stands. */
function step(summary: string, description: string, body?: Record<string, unknown>) {
  return {
    post: {
      summary,
      description,
      parameters: [idParameter],
      ...(body
        ? {
            requestBody: {
              required: true,
              content: json({ type: 'object', additionalProperties: false, ...body }),
            },
          }
        : {}),
      responses: {
        '200': { description: 'The alert after the step', content: json(ref('Alert')) },
        ...errors(400, 401, 403, 404, 409, 503),
      },
    },
  };
}

export function alertPaths(): Record<string, unknown> {
  return {
    '/api/v1/alerts': {
      get: {
        summary: 'Alerts, newest first (alerts.read; scoped grants see alerts of their sources)',
        description:
          'A page may hold fewer than `limit` alerts while `next_cursor` is not null: one request reads a bounded number of alerts, so follow next_cursor until it is null. Each page is recorded in the log (alert.list) before it is sent.',
        parameters: [
          ...FILTERS,
          query('limit', `Alerts per page (default ${ALERTS_DEFAULT_LIMIT})`, {
            type: 'integer',
            minimum: 1,
            maximum: ALERTS_MAX_LIMIT,
          }),
          query('cursor', 'next_cursor of the previous page'),
        ],
        responses: {
          '200': {
            description: 'A page of alerts (without their history)',
            content: json({
              type: 'object',
              required: ['alerts', 'next_cursor'],
              properties: {
                alerts: { type: 'array', items: ref('AlertSummary') },
                next_cursor: { type: ['string', 'null'] },
              },
            }),
          },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/v1/alerts/export': {
      get: {
        summary: 'Every matching alert, oldest first, as NDJSON or CSV (alerts.read; audited)',
        description: `Recorded as an \`alert.export\` event before the file is sent. At most ${ALERTS_MAX_EXPORT} alerts; narrow with from/to beyond. CSV cells that a spreadsheet would run as a formula start with an apostrophe.`,
        parameters: [
          ...FILTERS,
          query('format', 'ndjson (default; one Alert with history per line) or csv', {
            enum: ['ndjson', 'csv'],
          }),
        ],
        responses: {
          '200': {
            description: 'The alerts',
            content: {
              'application/x-ndjson': { schema: { type: 'string' } },
              'text/csv': {
                schema: { type: 'string', description: `Columns: ${ALERT_CSV_COLUMNS.join(', ')}` },
              },
            },
          },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/v1/alerts/metrics': {
      get: {
        summary: 'Mean time to acknowledge and to resolve, overall and per severity (alerts.read)',
        parameters: [
          query('from', 'Alerts raised at or after (RFC 3339)', {
            type: 'string',
            format: 'date-time',
          }),
          query('to', 'Alerts raised at or before (RFC 3339)', {
            type: 'string',
            format: 'date-time',
          }),
          query('rule', 'Only this rule id'),
          query('source', 'Only alerts with this source'),
        ],
        responses: {
          '200': { description: 'Response times', content: json(ref('AlertMetrics')) },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/v1/alerts/bulk': {
      post: {
        summary:
          'Acknowledge or resolve every alert the filter matches (alerts.handle; scoped grants touch only alerts of their sources)',
        description: `The filter is the query string, as for the list (at least one parameter; state=open for every open alert). Each alert takes its own step, logged as its own alert.acknowledge or alert.resolve event; an alert already in the state asked for is counted as \`already\` and left alone, one that cannot take the step (acknowledging a resolved alert) as \`refused\`. More than \`max\` matches is a 400 before anything changes; \`dry_run\` answers the counts without changing anything. A real run is also recorded as one alert.bulk_handle event with the filter and the counts.`,
        parameters: FILTERS,
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['action'],
            properties: {
              action: { enum: ['acknowledge', 'resolve'] },
              disposition: { enum: [...DISPOSITIONS], description: 'Required to resolve' },
              note: text('Required to resolve: why and what was done (the same for every alert)'),
              dry_run: { type: 'boolean', description: 'Count only; change nothing' },
              max: {
                type: 'integer',
                minimum: 1,
                maximum: BULK_MAX,
                description: `The most alerts this request may change (default ${BULK_DEFAULT_MAX})`,
              },
            },
          }),
        },
        responses: {
          '200': {
            description: 'What happened (or, with dry_run, would happen)',
            content: json(ref('AlertBulkResult')),
          },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    '/api/v1/alerts/{id}': {
      get: {
        summary:
          'One alert with its whole handling history (alerts.read; recorded in the log as alert.read)',
        parameters: [idParameter],
        responses: {
          '200': { description: 'The alert', content: json(ref('Alert')) },
          ...errors(400, 401, 403, 404),
        },
      },
    },
    '/api/v1/alerts/{id}/acknowledge': step(
      'Acknowledge an open alert (alerts.handle; logged as alert.acknowledge)',
      'Body optional (an empty object). 409 unless the alert is open.',
    ),
    '/api/v1/alerts/{id}/resolve': step(
      'Resolve with a disposition and a note (alerts.handle; logged as alert.resolve)',
      'From open or acknowledged; resolving an open alert is also its first response. 409 when already resolved.',
      {
        required: ['disposition', 'note'],
        properties: {
          disposition: { enum: [...DISPOSITIONS] },
          note: text('Why it is resolved and what was done'),
        },
      },
    ),
    '/api/v1/alerts/{id}/reopen': step(
      'Reopen a resolved alert (alerts.handle; logged as alert.reopen)',
      'Back to open; the earlier resolution stays in the history. 409 unless resolved.',
      { required: ['note'], properties: { note: text('Why it needs handling again') } },
    ),
    '/api/v1/alerts/{id}/assign': step(
      'Assign to an account, or unassign with null (alerts.handle; logged as alert.assign)',
      'The assignee (an account id or sign-in name) must be active and a reviewer over one of the alert’s sources. 409 when resolved or already so assigned.',
      {
        required: ['assignee'],
        properties: { assignee: { type: ['string', 'null'], maxLength: 256 } },
      },
    ),
    '/api/v1/alerts/{id}/comments': step(
      'Comment on an alert in any state (alerts.handle; logged as alert.comment)',
      'Comments are steps of the history like any other.',
      { required: ['text'], properties: { text: text('The comment') } },
    ),
  };
}

export function alertSchemas(): Record<string, unknown> {
  const summaryProperties = {
    id: { type: 'string', description: 'ULID; its time is raised_at' },
    rule_id: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    severity: { enum: [...ALERT_SEVERITIES] },
    state: { enum: [...ALERT_STATES] },
    sources: {
      type: 'array',
      items: { type: 'string' },
      description: "The alert's sources; for a partial view only the reader's",
    },
    partial: {
      type: 'boolean',
      description:
        'True when the alert also covers sources outside the reader’s access: only their sources and seqs are shown, the description is replaced and the key left out',
    },
    group: { type: 'object', additionalProperties: { type: 'string' } },
    seqs: {
      type: 'array',
      items: { type: 'integer' },
      description: 'The triggering entries (the first 1000), ascending',
    },
    seq_count: { type: 'integer' },
    triggered_at: time,
    raised_at: time,
    raise_seq: { type: ['integer', 'null'], description: 'Seq of the alert.raise event' },
    assignee: { type: ['string', 'null'], description: 'Account id' },
    assignee_name: {
      type: ['string', 'null'],
      description: 'The assignee’s sign-in name (null when unassigned or the account is gone)',
    },
    acknowledged_at: { ...nullableTime, description: 'First response' },
    acknowledged_by: { type: ['string', 'null'] },
    resolved_at: nullableTime,
    resolution: {
      type: ['object', 'null'],
      properties: {
        disposition: { enum: [...DISPOSITIONS] },
        note: { type: 'string' },
        by: { type: 'string' },
      },
    },
  };
  const times = {
    type: 'object',
    properties: {
      alerts: { type: 'integer' },
      open: { type: 'integer' },
      acknowledged: { type: 'integer' },
      resolved: { type: 'integer' },
      responded: { type: 'integer', description: 'Alerts with a first response' },
      mean_time_to_acknowledge_ms: { type: ['integer', 'null'] },
      mean_time_to_resolve_ms: { type: ['integer', 'null'] },
    },
  };
  return {
    AlertSummary: { type: 'object', properties: summaryProperties },
    Alert: {
      type: 'object',
      properties: {
        ...summaryProperties,
        key: {
          type: 'string',
          description: 'The raise key (one alert per key); absent in a partial view',
        },
        history: {
          type: 'array',
          description: 'Every step, oldest first; each is an alert.<action> event at `seq`',
          items: {
            type: 'object',
            properties: {
              action: { enum: ['raise', 'acknowledge', 'resolve', 'reopen', 'assign', 'comment'] },
              at: time,
              by: {
                type: 'object',
                properties: {
                  id: { type: 'string' },
                  type: { enum: ['person', 'service', 'admin_token', 'system'] },
                  name: { type: 'string' },
                },
              },
              event_id: { type: 'string' },
              seq: {
                type: ['integer', 'null'],
                description: 'Null only while the event is being appended',
              },
              from: { type: ['string', 'null'] },
              to: { enum: [...ALERT_STATES] },
              disposition: { enum: [...DISPOSITIONS] },
              note: { type: 'string' },
              assignee: { type: ['string', 'null'] },
              assignee_name: { type: ['string', 'null'] },
              text: { type: 'string' },
            },
          },
        },
      },
    },
    AlertBulkResult: {
      type: 'object',
      required: ['action', 'dry_run', 'matched', 'already', 'refused', 'refusals'],
      properties: {
        action: { enum: ['acknowledge', 'resolve'] },
        dry_run: { type: 'boolean' },
        matched: { type: 'integer', description: 'Alerts the filter matched within your scope' },
        changed: { type: 'integer', description: 'Alerts that took the step (not in a dry run)' },
        would_change: { type: 'integer', description: 'Dry run only: alerts that would' },
        already: { type: 'integer', description: 'Already in the state asked for; untouched' },
        refused: { type: 'integer', description: 'Could not take the step' },
        refusals: {
          type: 'array',
          description: 'The first 50 refusals, with why',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, reason: { type: 'string' } },
          },
        },
        changed_ids: { type: 'array', items: { type: 'string' } },
      },
    },
    AlertMetrics: {
      type: 'object',
      properties: {
        from: nullableTime,
        to: nullableTime,
        overall: times,
        by_severity: {
          type: 'object',
          properties: Object.fromEntries(ALERT_SEVERITIES.map((s) => [s, times])),
        },
        dispositions: {
          type: 'object',
          properties: Object.fromEntries(DISPOSITIONS.map((d) => [d, { type: 'integer' }])),
        },
      },
    },
  };
}
