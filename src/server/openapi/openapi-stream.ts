/**
 * The OpenAPI part for the event stream out to a SIEM (GET /api/v1/events/stream), spread
 * into the document by openapi.ts.
 */
import { STREAM_FORMATS } from '../../connect/siem/stream-format.js';
import { STREAM_DEFAULT_HEARTBEAT_S } from '../routes/stream.js';

const error = (status: number) => ({ $ref: `#/components/responses/Error${status}` });

export function streamPaths(): Record<string, unknown> {
  return {
    '/api/v1/events/stream': {
      get: {
        summary:
          'Follow the log as it grows, for a SIEM (events.export; filtered by the grant’s sources; each stream opened is audited audit_log.stream)',
        description:
          'Chunked NDJSON, one entry per line, or server-sent events when the request accepts text/event-stream (each event’s id is its seq; EventSource resumes with Last-Event-ID). ' +
          'Entries come in seq order from after+1; resume after a disconnect with the last seq received and nothing is skipped or repeated. ' +
          'Blank NDJSON lines (SSE comments) are heartbeats. The stream ends when the server shuts down; reconnect. ' +
          'format=ocsf gives OCSF 1.8 events (metadata.sequence is the seq), format=ecs ECS documents (event.sequence), ndjson {seq, leaf_hash, record}. docs/siem.md has the mapping.',
        parameters: [
          {
            name: 'after',
            in: 'query',
            description: 'Deliver entries with seq > after (default: from the first entry)',
            schema: { type: 'integer', minimum: 0 },
          },
          {
            name: 'format',
            in: 'query',
            description: 'Line format (default ndjson)',
            schema: { type: 'string', enum: STREAM_FORMATS },
          },
          {
            name: 'follow',
            in: 'query',
            description: 'false: end at the head as it was when the stream opened (default true)',
            schema: { type: 'string', enum: ['true', 'false'] },
          },
          {
            name: 'heartbeat',
            in: 'query',
            description: `Seconds of quiet before a heartbeat (default ${STREAM_DEFAULT_HEARTBEAT_S})`,
            schema: { type: 'integer', minimum: 1, maximum: 300 },
          },
          {
            name: 'Last-Event-ID',
            in: 'header',
            description:
              'SSE only: the seq of the last event received; takes precedence over after',
            schema: { type: 'string', pattern: '^[0-9]+$' },
          },
        ],
        responses: {
          '200': {
            description: 'The stream',
            content: {
              'application/x-ndjson': { schema: { type: 'string' } },
              'text/event-stream': { schema: { type: 'string' } },
            },
          },
          '400': error(400),
          '401': error(401),
          '403': error(403),
        },
      },
    },
  };
}
