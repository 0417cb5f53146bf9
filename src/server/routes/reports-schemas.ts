import { REPORT_KINDS, type ReportKind } from '../../evidence/report-service.js';
import {
  contentResponse,
  errorResponses,
  type JsonSchema,
  object,
  queryChoice,
  queryInstant,
  querystring,
  queryText,
  str,
} from '../http/schemas.js';

export const REPORT_FORMATS = ['json', 'csv', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportParams {
  kind: ReportKind;
}

export interface ReportQuery {
  from: string;
  to: string;
  person?: string;
  target?: string;
  source?: string;
  format?: ReportFormat;
}

/** The period as `evident pack create` reads it: a date alone is a whole UTC day. */
const PERIOD = {
  from: queryInstant(
    'Start of the period (received_at): a date (that day, UTC) or an RFC 3339 time',
  ),
  to: queryInstant(
    'End of the period: a date includes that whole day (UTC); an RFC 3339 time is exclusive',
  ),
};

const reportDocument: JsonSchema = {
  type: 'object',
  description:
    "The report: `report`, `period` (with the seqs it covers), `as_of` (tree size, root hash and the signed checkpoint it was computed from), `filters`, `scope` (the reader's source patterns), `events` (how many the report used), then the report's own fields (docs/reports.md) and `activity` (events per hour, day or week)",
  required: ['report', 'period', 'as_of', 'filters', 'scope', 'events', 'activity'],
  properties: {
    report: { type: 'string', enum: [...REPORT_KINDS] },
    period: { type: 'object' },
    as_of: object(
      {
        tree_size: { type: 'integer', minimum: 0 },
        root_hash: str('Base64 root hash of that tree'),
        checkpoint: str('The signed checkpoint (C2SP signed note)'),
      },
      ['tree_size', 'root_hash', 'checkpoint'],
    ),
    filters: { type: 'object' },
    scope: { type: 'array', items: { type: 'string' } },
    events: { type: 'integer', minimum: 0 },
    activity: { type: 'object' },
  },
};

export const reportSchema = {
  summary: 'One report of a period, as JSON, CSV or PDF (reports.read; scoped; audited)',
  description:
    "Computed from the events of the period (by received_at) below the signed checkpoint at hand when asked, and stating it. A scoped reader's report uses only their sources' events. Recorded as a `report.read` event before it is sent. `person` and `target` narrow the access and access-changes reports; `source` narrows every report but reviews.",
  params: object(
    { kind: { type: 'string', enum: [...REPORT_KINDS], description: 'Which report' } },
    ['kind'],
  ),
  querystring: querystring(
    {
      ...PERIOD,
      person: queryText('Only events by this actor (its id or name)'),
      target: queryText('Only events on this target (its id or name)'),
      source: queryText('Only events about this source'),
      format: queryChoice('json (default), csv or pdf', REPORT_FORMATS),
    },
    ['from', 'to'],
  ),
  response: {
    200: contentResponse('The report', {
      'application/json': reportDocument,
      'text/csv': {
        type: 'string',
        description:
          'One row per item; the last row `#as_of,tree_size=…,root_hash=…,period_from=…,period_to=…`',
      },
      'application/pdf': { type: 'string', format: 'binary' },
    }),
    ...errorResponses(400, 401, 403, 503),
  },
};
