import { OUTCOMES } from '../../core/record/types.js';
import { SEARCH_ORDERS } from '../event-search.js';

/**
 * The OpenAPI part for event search filters (shared by search and export) and the export
 * route: openapi.ts spreads these into the document.
 */
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
const bound = { type: 'string', description: 'RFC 3339 with an offset, or a date (that UTC day)' };

export function searchFilterParameters(): unknown[] {
  return [
    query('actor', 'actor.id'),
    query('actor_name', 'actor.name, exactly (read from the record: narrow with other filters)'),
    query('action', 'action; a trailing * is a prefix (customer.*), an index range'),
    query('target', 'target.id; a trailing * is a prefix (c-*)'),
    query('target_type', 'target.type'),
    query('outcome', 'outcome', { type: 'string', enum: OUTCOMES }),
    query('source', 'source; one the caller cannot see answers like one with no events'),
    query('ip', 'actor.ip: an IPv4/IPv6 address or CIDR network (10.0.0.0/8, 2001:db8::/32)'),
    query(
      'time_from',
      "the source's time at or after; a date alone is that day's start (UTC)",
      bound,
    ),
    query('time_to', "the source's time at or before; a date alone is that day's end (UTC)", bound),
    query('received_from', 'received_at at or after', bound),
    query('received_to', 'received_at at or before', bound),
    query('from', 'the same as received_from (kept for existing clients)', bound),
    query('to', 'the same as received_to', bound),
    query(
      'order',
      'newest first by the source time (time) or by arrival (received); default time when time_from or time_to is given, else received',
      { type: 'string', enum: SEARCH_ORDERS },
    ),
  ];
}

export function eventExportPaths(): Record<string, unknown> {
  return {
    '/api/v1/events/export': {
      get: {
        summary:
          'Export events as CSV or NDJSON, streamed (events.export; scoped grants export their sources; audited audit_log.export before the first byte)',
        description:
          'Every entry the filters select, in the search order, up to the checkpoint taken when the request came in: its signed note is in the Evident-Checkpoint header (base64) and in the last line (the trailer). NDJSON: one Entry per line, then {"trailer":{"count","tree_size","checkpoint"}}. CSV (RFC 4180, CRLF): a header row, one row per entry with seq, leaf_hash and the canonical record, then a row "#trailer,count=N,tree_size=S,checkpoint=<base64 note>". Cells starting with = + - @ tab or CR get a leading apostrophe. No trailer: the export was cut short.',
        parameters: [
          {
            name: 'format',
            in: 'query',
            required: true,
            schema: { type: 'string', enum: ['csv', 'ndjson'] },
          },
          ...searchFilterParameters(),
        ],
        responses: {
          '200': {
            description: 'The export',
            headers: {
              'Evident-Checkpoint': {
                description: 'base64 of the signed checkpoint note the export was taken at',
                schema: { type: 'string' },
              },
              'Evident-Tree-Size': { schema: { type: 'integer' } },
              'Evident-Order': { schema: { type: 'string', enum: SEARCH_ORDERS } },
            },
            content: {
              'text/csv': { schema: { type: 'string' } },
              'application/x-ndjson': { schema: { type: 'string' } },
            },
          },
          ...errors(400, 401, 403),
        },
      },
    },
  };
}
