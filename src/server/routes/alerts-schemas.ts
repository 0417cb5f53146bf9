import { MAX_TEXT_LENGTH } from '../../monitor/alerts/alert.js';
import { BULK_DEFAULT_MAX, BULK_MAX } from '../../monitor/alerts/bulk-handle.js';
import { ALERT_SEVERITIES, ALERT_STATES, DISPOSITIONS } from '../../monitor/types.js';
import {
  CURSOR_PARAMETER,
  contentResponse,
  errorResponses,
  handlerParsedBody,
  type JsonSchema,
  jsonResponse,
  NEXT_CURSOR,
  NO_QUERY,
  queryChoice,
  queryInteger,
  querystring,
  queryText,
  queryTimestamp,
} from '../http/schemas.js';
import { ALERT_CSV_COLUMNS } from '../presenters/alert.js';

export const ALERTS_DEFAULT_LIMIT = 50;
export const ALERTS_MAX_LIMIT = 500;

const time = { type: 'string', format: 'date-time' };
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const text = (description: string) => ({
  type: 'string',
  minLength: 1,
  maxLength: MAX_TEXT_LENGTH,
  description,
});

/** The list's filters (list, export, bulk); the handler reads them as alert-filter.ts says. */
export const FILTER_QUERY: Record<string, JsonSchema> = {
  state: queryChoice('Only alerts in this state', ALERT_STATES),
  severity: queryChoice('Only alerts of this severity', ALERT_SEVERITIES),
  rule: queryText('Only alerts of this rule id'),
  source: queryText('Only alerts with this source among theirs'),
  group: queryText(
    'Only alerts whose rule grouped by FIELD with this VALUE, written FIELD=VALUE (e.g. actor.id=u-1)',
    { maxLength: 512 },
  ),
  assignee: queryText('Only alerts assigned to this account (id or sign-in name)'),
  from: queryTimestamp('Raised at or after (RFC 3339)'),
  to: queryTimestamp('Raised at or before (RFC 3339)'),
  event_seq: queryInteger(
    'Only alerts this entry (its seq) triggered, among their first 1000 triggering seqs; a scoped reader finds an alert by an entry of their sources only',
    { maximum: Number.MAX_SAFE_INTEGER },
  ),
};
export const FILTER_PARAMS = Object.keys(FILTER_QUERY);

const ALERT_ID = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', description: 'Alert id (a ULID)', maxLength: 64 } },
};

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

const AlertSummary = { type: 'object', properties: summaryProperties };

const Alert = {
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
            description:
              'The seq of the step’s event (it commits with the step); null only for a step moved from an older version whose event was never appended',
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

export const listAlertsSchema = {
  summary: 'Alerts, newest first (alerts.read; scoped grants see alerts of their sources)',
  description:
    'Filtered and paged in the database: a page holds `limit` alerts unless it is the last, and `next_cursor` is null on the last page. Each page is recorded in the log (alert.list) before it is sent.',
  querystring: querystring({
    ...FILTER_QUERY,
    limit: queryInteger(`Alerts per page (default ${ALERTS_DEFAULT_LIMIT})`, {
      minimum: 1,
      maximum: ALERTS_MAX_LIMIT,
    }),
    cursor: CURSOR_PARAMETER,
  }),
  response: {
    200: jsonResponse('A page of alerts (without their history)', {
      type: 'object',
      required: ['alerts', 'next_cursor'],
      properties: { alerts: { type: 'array', items: AlertSummary }, next_cursor: NEXT_CURSOR },
    }),
    ...errorResponses(400, 401, 403),
  },
};

export const exportAlertsSchema = {
  summary: 'Every matching alert, oldest first, as NDJSON or CSV (alerts.read; audited)',
  description:
    'Recorded as an `alert.export` event (with the count and the first and last id) before the file is sent, then streamed: every match, however many. CSV cells that a spreadsheet would run as a formula start with an apostrophe.',
  querystring: querystring({
    ...FILTER_QUERY,
    format: queryChoice('ndjson (default; one Alert with history per line) or csv', [
      'ndjson',
      'csv',
    ]),
  }),
  response: {
    200: contentResponse('The alerts', {
      'application/x-ndjson': { type: 'string' },
      'text/csv': { type: 'string', description: `Columns: ${ALERT_CSV_COLUMNS.join(', ')}` },
    }),
    ...errorResponses(400, 401, 403),
  },
};

export const alertMetricsSchema = {
  summary: 'Mean time to acknowledge and to resolve, overall and per severity (alerts.read)',
  querystring: querystring({
    from: queryTimestamp('Alerts raised at or after (RFC 3339)'),
    to: queryTimestamp('Alerts raised at or before (RFC 3339)'),
    rule: queryText('Only this rule id'),
    source: queryText('Only alerts with this source'),
  }),
  response: {
    200: jsonResponse('Response times, summed in the database', {
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
    }),
    ...errorResponses(400, 401, 403),
  },
};

export const readAlertSchema = {
  summary:
    'One alert with its whole handling history (alerts.read; recorded in the log as alert.read)',
  params: ALERT_ID,
  querystring: NO_QUERY,
  response: { 200: jsonResponse('The alert', Alert), ...errorResponses(400, 401, 403, 404) },
};

/** One handling step: POST with a JSON body (parsed by the handler), answers the alert. */
export function stepSchema(summary: string, description: string, body: JsonSchema = {}) {
  return {
    summary,
    description,
    params: ALERT_ID,
    querystring: NO_QUERY,
    body: handlerParsedBody({ type: 'object', additionalProperties: false, ...body }),
    response: {
      200: jsonResponse('The alert after the step', Alert),
      ...errorResponses(400, 401, 403, 404, 409, 503),
    },
  };
}

export const STEP_SCHEMAS = {
  acknowledge: stepSchema(
    'Acknowledge an open alert (alerts.handle; logged as alert.acknowledge)',
    'Body optional (an empty object). 409 unless the alert is open.',
  ),
  resolve: stepSchema(
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
  reopen: stepSchema(
    'Reopen a resolved alert (alerts.handle; logged as alert.reopen)',
    'Back to open; the earlier resolution stays in the history. 409 unless resolved.',
    { required: ['note'], properties: { note: text('Why it needs handling again') } },
  ),
  assign: stepSchema(
    'Assign to an account, or unassign with null (alerts.handle; logged as alert.assign)',
    'The assignee (an account id or sign-in name) must be active and a reviewer over one of the alert’s sources. 409 when resolved or already so assigned.',
    {
      required: ['assignee'],
      properties: { assignee: { type: ['string', 'null'], maxLength: 256 } },
    },
  ),
  comments: stepSchema(
    'Comment on an alert in any state (alerts.handle; logged as alert.comment)',
    'Comments are steps of the history like any other.',
    { required: ['text'], properties: { text: text('The comment') } },
  ),
} as const;

export const bulkAlertsSchema = {
  summary:
    'Acknowledge or resolve every alert the filter matches (alerts.handle; scoped grants touch only alerts of their sources)',
  description:
    'The filter is the query string, as for the list (at least one parameter; state=open for every open alert). Each alert takes its own step, logged as its own alert.acknowledge or alert.resolve event; an alert already in the state asked for is counted as `already` and left alone, one that cannot take the step (acknowledging a resolved alert) as `refused`. More than `max` matches is a 400 before anything changes; `dry_run` answers the counts without changing anything. A real run is also recorded as one alert.bulk_handle event with the filter and the counts.',
  querystring: querystring(FILTER_QUERY),
  body: handlerParsedBody({
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
  response: {
    200: jsonResponse('What happened (or, with dry_run, would happen)', {
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
    }),
    ...errorResponses(400, 401, 403, 503),
  },
};
