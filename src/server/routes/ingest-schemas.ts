import { MAX_RECORDS_PER_REQUEST } from '../../core/record/types.js';
import {
  contentResponse,
  errorResponses,
  handlerParsedBody,
  IGNORED_QUERY,
  int,
  jsonResponse,
  object,
  queryChoice,
  querystring,
  str,
} from '../http/schemas.js';
import { EVENTS_BODY_LIMIT } from './events-schemas.js';

/** Events queued for the sequencer beyond which OTLP clients are told to back off (429). */
export const OTLP_MAX_QUEUED_EVENTS = 50_000;

export type MappingQuery = { dedupe?: 'content' | 'none' };

export const mappingSchema = {
  summary: "Append a log shipper's native records through a named mapping (ingest key)",
  description: `Built-in mappings: fluent-bit, vector, syslog-ng (JSON object, JSON array or NDJSON) and postgres-csvlog (text/csv: PostgreSQL csvlog with pgAudit entries). More from \`serve --mappings\`. Each record becomes an event of the key's source: the built-in sshd/sudo/su/PAM/PostgreSQL maps and the mapping's rules decide action, actor, target and outcome; the original message is kept in details; a record nothing can parse is stored as \`<mapping>.raw\`. At most ${MAX_RECORDS_PER_REQUEST} records and ${EVENTS_BODY_LIMIT} bytes. The 201 arrives after the batch is fsynced and covered by the returned checkpoint.`,
  params: object({ mapping: str('Mapping name', { maxLength: 128 }) }, ['mapping']),
  querystring: querystring({
    dedupe: queryChoice(
      "content: each event id is derived from the record's content, so a shipper's retry is stored once (two identical records are then one event); default: the mapping's setting (none for the built-ins)",
      ['content', 'none'],
    ),
  }),
  // The mapping parses its own format (connect/mapping).
  body: handlerParsedBody("The shipper's records", {
    'application/json': {
      oneOf: [{ type: 'object' }, { type: 'array', items: { type: 'object' }, minItems: 1 }],
    },
    'application/x-ndjson': { type: 'string', description: 'One shipper record per line' },
    'text/csv': { type: 'string', description: 'PostgreSQL csvlog (postgres-csvlog only)' },
    'text/plain': { type: 'string', description: 'The same as text/csv' },
  }),
  response: {
    201: jsonResponse(
      'Stored',
      object(
        {
          mapping: str('The mapping used'),
          raw: int('Records stored raw (nothing could parse them)'),
          entries: {
            type: 'array',
            items: object(
              {
                id: str('Event id'),
                seq: int('Leaf index'),
                leaf_hash: str('base64'),
                duplicate: {
                  type: 'boolean',
                  description: 'Already stored (a retry with dedupe=content)',
                },
              },
              ['id', 'seq', 'leaf_hash', 'duplicate'],
            ),
          },
          checkpoint: str('Signed checkpoint covering every entry'),
        },
        ['mapping', 'raw', 'entries', 'checkpoint'],
      ),
    ),
    ...errorResponses(400, 401, 403, 404, 413, 415, 503),
  },
};

export const otlpLogsSchema = {
  summary: 'OTLP/HTTP logs export (ingest key as Bearer token)',
  description: `OpenTelemetry protocol, OTLP/HTTP: an ExportLogsServiceRequest as binary protobuf (application/x-protobuf) or JSON (application/json), optionally Content-Encoding gzip. Attributes map to the record as docs/connect.md says. Records that do not make a valid record are counted and explained in partialSuccess; the rest are appended. 429 with Retry-After while more than ${OTLP_MAX_QUEUED_EVENTS} events wait for the log; 503 with Retry-After when the store fails.`,
  // OTLP exporters add nothing to the URL; what they might add is ignored, as before.
  querystring: IGNORED_QUERY,
  body: handlerParsedBody('ExportLogsServiceRequest', {
    'application/x-protobuf': { type: 'string', format: 'binary' },
    'application/json': {
      type: 'object',
      description: 'ExportLogsServiceRequest, OTLP JSON encoding',
    },
  }),
  response: {
    200: contentResponse('ExportLogsServiceResponse (protobuf for a protobuf request, else JSON)', {
      'application/json': object({
        partialSuccess: object({
          rejectedLogRecords: str('int64 as decimal text (OTLP JSON)'),
          errorMessage: str('Why, for the first few'),
        }),
      }),
      'application/x-protobuf': { type: 'string', format: 'binary' },
    }),
    ...errorResponses(400, 401, 403, 413, 415, 429, 503),
  },
};
