/**
 * The OpenAPI part for the connectors (docs/connect.md): shipper mappings and OTLP/HTTP
 * logs. openapi.ts spreads these into the document.
 */
import { MAX_RECORDS_PER_REQUEST } from '../../core/record/types.js';
import { EVENTS_BODY_LIMIT } from '../routes/events.js';
import { OTLP_MAX_QUEUED_EVENTS } from '../routes/otlp-logs.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );

export function connectPaths(): Record<string, unknown> {
  return {
    '/api/v1/ingest/{mapping}': {
      post: {
        summary: "Append a log shipper's native records through a named mapping (ingest key)",
        description: `Built-in mappings: fluent-bit, vector, syslog-ng (JSON object, JSON array or NDJSON) and postgres-csvlog (text/csv: PostgreSQL csvlog with pgAudit entries). More from \`serve --mappings\`. Each record becomes an event of the key's source: the built-in sshd/sudo/su/PAM/PostgreSQL maps and the mapping's rules decide action, actor, target and outcome; the original message is kept in details; a record nothing can parse is stored as \`<mapping>.raw\`. At most ${MAX_RECORDS_PER_REQUEST} records and ${EVENTS_BODY_LIMIT} bytes. The 201 arrives after the batch is fsynced and covered by the returned checkpoint.`,
        parameters: [
          {
            name: 'mapping',
            in: 'path',
            required: true,
            schema: { type: 'string' },
            description: 'Mapping name',
          },
          {
            name: 'dedupe',
            in: 'query',
            required: false,
            schema: { type: 'string', enum: ['content', 'none'] },
            description:
              "content: each event id is derived from the record's content, so a shipper's retry is stored once (two identical records are then one event); default: the mapping's setting (none for the built-ins)",
          },
        ],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                oneOf: [
                  { type: 'object' },
                  { type: 'array', items: { type: 'object' }, minItems: 1 },
                ],
              },
            },
            'application/x-ndjson': {
              schema: { type: 'string', description: 'One shipper record per line' },
            },
            'text/csv': {
              schema: { type: 'string', description: 'PostgreSQL csvlog (postgres-csvlog only)' },
            },
          },
        },
        responses: {
          '201': {
            description: 'Stored',
            content: { 'application/json': { schema: ref('MappedAppendResponse') } },
          },
          ...errors(400, 401, 403, 404, 413, 415, 503),
        },
      },
    },
    '/v1/logs': {
      post: {
        summary: 'OTLP/HTTP logs export (ingest key as Bearer token)',
        description: `OpenTelemetry protocol, OTLP/HTTP: an ExportLogsServiceRequest as binary protobuf (application/x-protobuf) or JSON (application/json), optionally Content-Encoding gzip. Attributes map to the record as docs/connect.md says. Records that do not make a valid record are counted and explained in partialSuccess; the rest are appended. 429 with Retry-After while more than ${OTLP_MAX_QUEUED_EVENTS} events wait for the log; 503 with Retry-After when the store fails.`,
        requestBody: {
          required: true,
          content: {
            'application/x-protobuf': { schema: { type: 'string', format: 'binary' } },
            'application/json': {
              schema: {
                type: 'object',
                description: 'ExportLogsServiceRequest, OTLP JSON encoding',
              },
            },
          },
        },
        responses: {
          '200': {
            description: 'ExportLogsServiceResponse (protobuf for a protobuf request, else JSON)',
            content: {
              'application/json': { schema: ref('OtlpExportLogsResponse') },
              'application/x-protobuf': { schema: { type: 'string', format: 'binary' } },
            },
          },
          ...errors(400, 401, 403, 413, 415, 429, 503),
        },
      },
    },
  };
}

export function connectSchemas(): Record<string, unknown> {
  return {
    MappedAppendResponse: {
      type: 'object',
      required: ['mapping', 'raw', 'entries', 'checkpoint'],
      properties: {
        mapping: { type: 'string' },
        raw: {
          type: 'integer',
          minimum: 0,
          description: 'Records stored raw (nothing could parse them)',
        },
        entries: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'seq', 'leaf_hash', 'duplicate'],
            properties: {
              id: { type: 'string' },
              seq: { type: 'integer', minimum: 0 },
              leaf_hash: { type: 'string', description: 'base64' },
              duplicate: {
                type: 'boolean',
                description: 'Already stored (a retry with dedupe=content)',
              },
            },
          },
        },
        checkpoint: { type: 'string', description: 'Signed checkpoint covering every entry' },
      },
    },
    OtlpExportLogsResponse: {
      type: 'object',
      properties: {
        partialSuccess: {
          type: 'object',
          properties: {
            rejectedLogRecords: {
              type: 'string',
              description: 'int64 as decimal text (OTLP JSON)',
            },
            errorMessage: { type: 'string' },
          },
        },
      },
    },
  };
}
