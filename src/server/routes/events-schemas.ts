import { STREAM_FORMATS } from '../../connect/siem/stream-format.js';
import {
  MAX_CANONICAL_RECORD_BYTES,
  MAX_RECORDS_PER_REQUEST,
  OUTCOMES,
} from '../../core/record/types.js';
import { SEARCH_ORDERS, type SearchFilters } from '../../events/event-search.js';
import {
  CURSOR_PARAMETER,
  contentResponse,
  errorResponses,
  handlerParsedBody,
  int,
  type JsonSchema,
  jsonResponse,
  NEXT_CURSOR,
  NO_QUERY,
  object,
  queryChoice,
  queryInstant,
  queryInteger,
  querystring,
  queryText,
  ref,
  str,
} from '../http/schemas.js';
import { EXPORT_FORMATS } from '../presenters/entry-export.js';

/** Largest accepted ingest body; MAX_RECORDS_PER_REQUEST bounds the count separately. */
export const EVENTS_BODY_LIMIT = 10 * 1024 * 1024;
export const SEARCH_DEFAULT_LIMIT = 100;
export const SEARCH_MAX_LIMIT = 1000;
export const STREAM_DEFAULT_HEARTBEAT_S = 15;

/** The filters of search and export (docs/api.md, "Search"). */
export const SEARCH_FILTERS: Record<keyof SearchFilters, JsonSchema> = {
  actor: queryText('actor.id'),
  actor_name: queryText('actor.name, exactly (read from the record: narrow with other filters)'),
  action: queryText('action; a trailing * is a prefix (customer.*), an index range'),
  target: queryText('target.id; a trailing * is a prefix (c-*)'),
  target_type: queryText('target.type'),
  outcome: queryChoice('outcome', OUTCOMES),
  source: queryText('source; one the caller cannot see answers like one with no events'),
  ip: queryText('actor.ip: an IPv4/IPv6 address or CIDR network (10.0.0.0/8, 2001:db8::/32)', {
    maxLength: 64,
  }),
  time_from: queryInstant("the source's time at or after; a date alone is that day's start (UTC)"),
  time_to: queryInstant("the source's time at or before; a date alone is that day's end (UTC)"),
  received_from: queryInstant('received_at at or after'),
  received_to: queryInstant('received_at at or before'),
  from: queryInstant('the same as received_from (kept for existing clients)'),
  to: queryInstant('the same as received_to'),
  order: queryChoice(
    'newest first by the source time (time) or by arrival (received); default time when time_from or time_to is given, else received',
    SEARCH_ORDERS,
  ),
};

export type SearchQuery = SearchFilters & { limit?: number; cursor?: string };

export const searchSchema = {
  summary:
    'Search events, newest first by event time or arrival (events.read; a grant limited to sources sees only those; audited audit_log.search)',
  querystring: querystring({
    ...SEARCH_FILTERS,
    limit: queryInteger(`page size (default ${SEARCH_DEFAULT_LIMIT})`, {
      minimum: 1,
      maximum: SEARCH_MAX_LIMIT,
    }),
    cursor: CURSOR_PARAMETER,
  }),
  response: {
    200: jsonResponse(
      'A page',
      object(
        {
          entries: { type: 'array', items: ref('Entry') },
          next_cursor: NEXT_CURSOR,
          order: { type: 'string', enum: SEARCH_ORDERS },
          never_matches: str(
            'Present when no entry can match these filters, saying why (e.g. a source with no events the caller can see)',
          ),
        },
        ['entries', 'next_cursor', 'order'],
      ),
    ),
    ...errorResponses(400, 401, 403),
  },
};

export const eventByIdSchema = {
  summary: 'One event by id (events.read; outside a grant limited to sources: 404, as if absent)',
  params: object({ id: str('A ULID or a UUID', { maxLength: 64 }) }, ['id']),
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The entry', ref('Entry')),
    ...errorResponses(400, 401, 403, 404, 410),
  },
};

export type AppendQuery = { historical?: 'true' | 'false'; proof?: 'inclusion' };

export const appendSchema = {
  summary: 'Append events (ingest key)',
  description: `One record, a JSON array of records, or NDJSON (application/x-ndjson). At most ${MAX_RECORDS_PER_REQUEST} records and ${EVENTS_BODY_LIMIT} bytes per request; each canonical record at most ${MAX_CANONICAL_RECORD_BYTES} bytes. All-or-nothing. The 201 arrives only after the batch is fsynced and covered by the returned signed checkpoint.`,
  querystring: querystring({
    historical: queryChoice(
      'true: a declared backfill; each record gets historical: true (the leaf commits to it), the rules never alert on it and clock-skew statistics leave it out',
      ['true', 'false'],
    ),
    proof: queryChoice(
      'inclusion: return each event’s RFC 9162 inclusion proof against the returned checkpoint',
      ['inclusion'],
    ),
  }),
  // core/record parses and checks the records (duplicate keys, sizes, each field) itself.
  body: handlerParsedBody('One record, a JSON array of records, or NDJSON', {
    'application/json': {
      oneOf: [
        ref('SubmittedRecord'),
        { type: 'array', items: ref('SubmittedRecord'), minItems: 1 },
      ],
    },
    'application/x-ndjson': { type: 'string', description: 'One SubmittedRecord per line' },
  }),
  response: {
    201: jsonResponse(
      'Stored (or already stored under the same id and content)',
      object(
        {
          entries: {
            type: 'array',
            items: object(
              {
                id: str('Event id'),
                seq: int('Leaf index'),
                leaf_hash: str('base64'),
                already_stored: {
                  type: 'boolean',
                  description:
                    'true when this id was already stored with the same content (nothing was appended for it); false when this request appended it',
                },
                inclusion: {
                  type: 'array',
                  items: { type: 'string' },
                  description:
                    'With ?proof=inclusion: the inclusion proof (base64 hashes, leaf to root) of seq in the checkpoint’s tree',
                },
              },
              ['id', 'seq', 'leaf_hash', 'already_stored'],
            ),
          },
          checkpoint: str('Signed checkpoint covering every entry above'),
          witnessed: {
            type: 'boolean',
            description:
              'Only when the server runs with --witnessed-ack: true when k witnesses of its policy cosigned a checkpoint covering every entry above before the answer; false when the wait timed out (the entries are committed all the same; retry the same request to wait again)',
          },
          witnessed_checkpoint: str(
            'With witnessed: true, the signed checkpoint (tree size ≥ the one above) followed by the witness cosignature lines',
          ),
        },
        ['entries', 'checkpoint'],
      ),
    ),
    ...errorResponses(400, 401, 403, 409, 413, 415, 503),
  },
};

export type ExportQuery = SearchFilters & { format: (typeof EXPORT_FORMATS)[number] };

export const exportSchema = {
  summary:
    'Export events as CSV or NDJSON, streamed (events.export; scoped grants export their sources; audited audit_log.export before the first byte)',
  description:
    'Every entry the filters select, in the search order, up to the checkpoint taken when the request came in: its signed note is in the Evident-Checkpoint header (base64) and in the last line (the trailer). NDJSON: one Entry per line, then {"trailer":{"count","tree_size","checkpoint"}}. CSV (RFC 4180, CRLF): a header row, one row per entry with seq, leaf_hash and the canonical record, then a row "#trailer,count=N,tree_size=S,checkpoint=<base64 note>". Cells starting with = + - @ tab or CR get a leading apostrophe. No trailer: the export was cut short.',
  querystring: querystring(
    { format: queryChoice('csv or ndjson', EXPORT_FORMATS), ...SEARCH_FILTERS },
    ['format'],
  ),
  response: {
    200: {
      ...contentResponse('The export', {
        'text/csv': { type: 'string' },
        'application/x-ndjson': { type: 'string' },
      }),
      headers: {
        'Evident-Checkpoint': {
          type: 'string',
          description: 'base64 of the signed checkpoint note the export was taken at',
        },
        'Evident-Tree-Size': { type: 'integer' },
        'Evident-Order': { type: 'string', enum: SEARCH_ORDERS },
      },
    },
    ...errorResponses(400, 401, 403),
  },
};

export type StreamQuery = {
  after?: number;
  format?: (typeof STREAM_FORMATS)[number];
  follow?: 'true' | 'false';
  heartbeat?: number;
};

export const streamSchema = {
  summary:
    'Follow the log as it grows, for a SIEM (events.export; filtered by the grant’s sources; each stream opened is audited audit_log.stream)',
  description:
    'Chunked NDJSON, one entry per line, or server-sent events when the request accepts text/event-stream (each event’s id is its seq; EventSource resumes with Last-Event-ID, which takes precedence over after). ' +
    'Entries come in seq order from after+1; resume after a disconnect with the last seq received and nothing is skipped or repeated. ' +
    'Blank NDJSON lines (SSE comments) are heartbeats. The stream ends when the server shuts down; reconnect. ' +
    'format=ocsf gives OCSF 1.8 events (metadata.sequence is the seq), format=ecs ECS documents (event.sequence), ndjson {seq, leaf_hash, record}. docs/siem.md has the mapping.',
  querystring: querystring({
    after: queryInteger('Deliver entries with seq > after (default: from the first entry)'),
    format: queryChoice('Line format (default ndjson)', STREAM_FORMATS),
    follow: queryChoice('false: end at the head as it was when the stream opened (default true)', [
      'true',
      'false',
    ]),
    heartbeat: queryInteger(
      `Seconds of quiet before a heartbeat (default ${STREAM_DEFAULT_HEARTBEAT_S})`,
      {
        minimum: 1,
        maximum: 300,
      },
    ),
  }),
  response: {
    200: contentResponse('The stream', {
      'application/x-ndjson': { type: 'string' },
      'text/event-stream': { type: 'string' },
    }),
    ...errorResponses(400, 401, 403),
  },
};
