import {
  CATEGORIES,
  MAX_CANONICAL_RECORD_BYTES,
  MAX_RECORDS_PER_REQUEST,
  OUTCOMES,
  SENSITIVITIES,
  SEVERITIES,
} from '../../core/record/types.js';
import { ERROR_REASONS } from '../../error-reasons.js';
import { ENTRY_SKEW_PROPERTIES } from '../http/schemas.js';
import { EVENTS_BODY_LIMIT, SEARCH_DEFAULT_LIMIT, SEARCH_MAX_LIMIT } from '../routes/events.js';
import { ENTRIES_PAGE_MAX } from '../routes/log.js';
import { connectPaths, connectSchemas } from './openapi-connect.js';
import { eventExportPaths, searchFilterParameters } from './openapi-events.js';
import { ingestKeyPaths, ingestKeySchemas } from './openapi-ingest-keys.js';
import { logKeyPaths, logKeySchemas } from './openapi-log-keys.js';
import { principalPaths, principalSchemas } from './openapi-principals.js';
import { streamPaths } from './openapi-stream.js';

const str = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'string',
  description,
  ...extra,
});
const int = (description: string, extra: Record<string, unknown> = {}) => ({
  type: 'integer',
  minimum: 0,
  description,
  ...extra,
});
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const query = (
  name: string,
  description: string,
  schema: unknown = { type: 'string' },
  required = false,
) => ({
  name,
  in: 'query',
  required,
  description,
  schema,
});
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );

const ERROR_TEXT: Record<number, string> = {
  400: 'Bad input; `error.path` names the field or parameter to fix',
  401: 'Missing, malformed, expired, revoked or unknown token (one answer for all)',
  403: 'The credential may not do this: no role of it allows the action (docs/security.md has the matrix), or a separation-of-duties rule refuses it',
  404: 'Not found',
  409: 'A conflict with the current state: an event id stored with other content, a name taken, the last admin, a request no longer pending',
  413: 'Body or canonical record too large',
  415: 'Unsupported Content-Type',
  429: 'Too many requests: wait as long as Retry-After says, then retry',
  503: 'The log could not commit; retry with the same event ids',
};

/**
 * The hand-written part of the OpenAPI document: the paths of routes not yet declared with
 * schemas (openapi/document.ts merges them under the generated ones). It shrinks as routes
 * move onto schemas, and goes when the last one has.
 */
export function handWrittenDocument(): Record<string, unknown> {
  const submitted = {
    type: 'object',
    additionalProperties: false,
    required: ['time', 'actor', 'action', 'outcome'],
    properties: {
      id: str(
        'Idempotency key: a ULID or UUID. The server makes a ULID when absent. Retrying with the same id and content returns the stored entry; other content under the same id is a 409.',
      ),
      time: str(
        'When it happened, by the source clock (RFC 3339 with an offset). Normalised to UTC with milliseconds; sub-millisecond digits are truncated.',
        { format: 'date-time' },
      ),
      source: str('Optional; must equal the source bound to the ingest key if given.'),
      actor: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: str('Who acted', { minLength: 1, maxLength: 256 }),
          type: str('user, service, …', { maxLength: 64 }),
          name: str('Display name', { maxLength: 256 }),
          ip: str('IPv4 or IPv6 address'),
          session: str('Session id', { maxLength: 256 }),
        },
      },
      action: str('Dotted verb <object>.<verb>, e.g. customer.read', {
        pattern: '^[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)+$',
        maxLength: 128,
      }),
      target: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          type: str('Kind of object', { maxLength: 64 }),
          id: str('Which object', { minLength: 1, maxLength: 256 }),
          name: str('Display name', { maxLength: 256 }),
          sensitivity: { type: 'string', enum: SENSITIVITIES },
        },
      },
      outcome: { type: 'string', enum: OUTCOMES },
      reason: str('Why: ticket, query text, error', { maxLength: 8192 }),
      details: {
        type: 'object',
        description:
          'Free-form JSON; integers only (no floats), strings without NUL; bounded by the record cap',
      },
      category: { type: 'string', enum: CATEGORIES },
      severity: { type: 'string', enum: SEVERITIES },
      request: {
        type: 'object',
        additionalProperties: false,
        properties: {
          id: str('Request id'),
          method: str('HTTP method'),
          path: str('Request path'),
          status: { type: 'integer', minimum: 100, maximum: 599 },
        },
      },
      trace_id: str('Distributed trace id'),
      tenant: str('Tenant'),
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Evident API',
      version: '1',
      description:
        'A tamper-evident audit log. Every event is a leaf of an RFC 9162 Merkle tree: leaf_hash = SHA-256(0x00 ‖ JCS(record)) with JCS = RFC 8785. ' +
        'Checkpoints are C2SP tlog-checkpoint signed notes (Ed25519). Hashes in JSON are standard base64. ' +
        'Errors are {"error":{"code","message","path"?}}. Every read, search, export and proof request, and every change to principals, tokens, keys, rules or settings, by any credential (person, service, API token, session or the bootstrap admin token), is itself appended to the log as an event of source "evident" before the answer is sent.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    paths: {
      '/api/v1/events': {
        post: {
          summary: 'Append events (ingest key)',
          parameters: [
            query(
              'historical',
              'true: a declared backfill; each record gets historical: true (the leaf commits to it), the rules never alert on it and clock-skew statistics leave it out',
              { type: 'string', enum: ['true', 'false'] },
            ),
            query(
              'proof',
              'inclusion: return each event’s RFC 9162 inclusion proof against the returned checkpoint',
              { type: 'string', enum: ['inclusion'] },
            ),
          ],
          description: `One record, a JSON array of records, or NDJSON (application/x-ndjson). At most ${MAX_RECORDS_PER_REQUEST} records and ${EVENTS_BODY_LIMIT} bytes per request; each canonical record at most ${MAX_CANONICAL_RECORD_BYTES} bytes. All-or-nothing. The 201 arrives only after the batch is fsynced and covered by the returned signed checkpoint.`,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    ref('SubmittedRecord'),
                    { type: 'array', items: ref('SubmittedRecord'), minItems: 1 },
                  ],
                },
              },
              'application/x-ndjson': {
                schema: { type: 'string', description: 'One SubmittedRecord per line' },
              },
            },
          },
          responses: {
            '201': {
              description: 'Stored (or already stored under the same id and content)',
              content: json(ref('AppendResponse')),
            },
            ...errors(400, 401, 403, 409, 413, 415, 503),
          },
        },
        get: {
          summary:
            'Search events, newest first by event time or arrival (events.read; a grant limited to sources sees only those; audited audit_log.search)',
          parameters: [
            ...searchFilterParameters(),
            query('limit', `page size (default ${SEARCH_DEFAULT_LIMIT})`, {
              type: 'integer',
              minimum: 1,
              maximum: SEARCH_MAX_LIMIT,
            }),
            query('cursor', 'next_cursor of the previous page'),
          ],
          responses: {
            '200': { description: 'A page', content: json(ref('SearchPage')) },
            ...errors(400, 401, 403),
          },
        },
      },
      ...eventExportPaths(),
      '/api/v1/events/{id}': {
        get: {
          summary:
            'One event by id (events.read; outside a grant limited to sources: 404, as if absent)',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The entry', content: json(ref('Entry')) },
            ...errors(400, 401, 403, 404),
          },
        },
      },
      '/api/v1/log': {
        get: {
          summary: 'Log identity and head (log.read)',
          responses: {
            '200': { description: 'Head', content: json(ref('LogInfo')) },
            ...errors(401, 403),
          },
        },
      },
      '/api/v1/log/checkpoint': {
        get: {
          summary: 'Latest signed checkpoint (log.read)',
          responses: {
            '200': {
              description:
                'C2SP signed note: the log signature line, then any witness cosignature lines (C2SP tlog-cosignature) collected for it',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...errors(401, 403),
          },
        },
      },
      ...logKeyPaths(),
      ...ingestKeyPaths(),
      ...streamPaths(),
      '/api/v1/log/entries': {
        get: {
          summary:
            'Entries in seq order (log.entries: a grant over every source; audited audit_log.export)',
          parameters: [
            query('start', 'first seq', { type: 'integer', minimum: 0 }, true),
            query('end', `end seq, exclusive (pages hold at most ${ENTRIES_PAGE_MAX})`, {
              type: 'integer',
              minimum: 1,
            }),
          ],
          responses: {
            '200': { description: 'A page', content: json(ref('EntriesPage')) },
            ...errors(400, 401, 403),
          },
        },
      },
      '/api/v1/log/proof/inclusion': {
        get: {
          summary:
            'RFC 9162 inclusion proof (proofs.read; outside a grant limited to sources: 404)',
          parameters: [
            query('seq', 'leaf index', { type: 'integer', minimum: 0 }, true),
            query('tree_size', 'tree size (default: latest)', { type: 'integer', minimum: 1 }),
          ],
          responses: {
            '200': { description: 'Proof', content: json(ref('InclusionProof')) },
            ...errors(400, 401, 403),
          },
        },
      },
      '/api/v1/log/proof/consistency': {
        get: {
          summary: 'RFC 9162 consistency proof (proofs.read)',
          parameters: [
            query('from', 'older tree size', { type: 'integer', minimum: 0 }, true),
            query('to', 'newer tree size (default: latest)', { type: 'integer', minimum: 0 }),
          ],
          responses: {
            '200': { description: 'Proof', content: json(ref('ConsistencyProof')) },
            ...errors(400, 401, 403),
          },
        },
      },
      ...principalPaths(),
      '/': {
        get: {
          summary:
            'The web dashboard (index.html; also served at every other non-API path without a file extension, so client routes load the app)',
          security: [],
          responses: {
            '200': {
              description: 'The page (Cache-Control: no-cache; its own CSP)',
              content: { 'text/html': {} },
            },
            '503': { description: 'The dashboard was not built (npm run build)' },
          },
        },
      },
      '/assets/{name}': {
        get: {
          summary: 'A dashboard asset: content-hashed name, cached for a year (immutable)',
          security: [],
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'The file (gzip when accepted)' },
            ...errors(404),
          },
        },
      },
      ...connectPaths(),
      '/healthz': {
        get: {
          summary: 'Liveness, tree size and whether the host clock is synchronised',
          security: [],
          responses: {
            '200': {
              description: 'OK: {"status","tree_size","clock","four_eyes"}',
              content: json({
                type: 'object',
                properties: {
                  status: str('ok'),
                  tree_size: int('Entries'),
                  clock: ref('ClockSync'),
                  four_eyes: {
                    type: 'object',
                    description:
                      'Whether reading roles for principals an admin controls wait for a second admin',
                    properties: { reader_grants: { type: 'string', enum: ['on', 'off'] } },
                  },
                },
              }),
            },
            '503': { description: 'Store unavailable' },
          },
        },
      },
      '/api/v1/openapi.json': {
        get: {
          summary: 'This document',
          security: [],
          responses: { '200': { description: 'OpenAPI 3.1' } },
        },
      },
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (evt_…) of a person or service, the bootstrap admin token, or an ingest key (evk_…) for POST /api/v1/events',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'evident_session',
          description:
            'The session cookie from POST /api/v1/auth/login or OpenID sign-in; writes also need the X-CSRF-Token header',
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_TEXT).map(([status, description]) => [
          `Error${status}`,
          { description, content: json(ref('Error')) },
        ]),
      ),
      schemas: {
        SubmittedRecord: submitted,
        ...logKeySchemas(),
        ...ingestKeySchemas(),
        ...principalSchemas(),
        ...connectSchemas(),
        Record: {
          description:
            'What a leaf commits to: the submitted fields plus received_at (server time), source (from the key) and id.',
          allOf: [
            submitted,
            {
              required: ['id', 'received_at', 'source'],
              properties: {
                received_at: str('Server time', { format: 'date-time' }),
                historical: {
                  const: true,
                  description: 'Set by the server on a declared backfill (POST ?historical=true)',
                },
              },
            },
          ],
        },
        Entry: {
          type: 'object',
          required: ['seq', 'leaf_hash', 'record'],
          properties: {
            seq: int('Leaf index'),
            leaf_hash: str('base64 SHA-256(0x00 ‖ JCS(record))'),
            record: ref('Record'),
            ...ENTRY_SKEW_PROPERTIES,
          },
        },
        AppendResponse: {
          type: 'object',
          required: ['entries', 'checkpoint'],
          properties: {
            entries: {
              type: 'array',
              items: {
                type: 'object',
                required: ['id', 'seq', 'leaf_hash', 'already_stored'],
                properties: {
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
              },
            },
            checkpoint: str('Signed checkpoint covering every entry above'),
          },
        },
        SearchPage: {
          type: 'object',
          required: ['entries', 'next_cursor'],
          properties: {
            entries: { type: 'array', items: ref('Entry') },
            next_cursor: { type: ['string', 'null'] },
            order: { type: 'string', enum: ['time', 'received'] },
            never_matches: {
              type: 'string',
              description:
                'Present when no entry can match these filters, saying why (e.g. a source with no events the caller can see)',
            },
          },
        },
        EntriesPage: {
          type: 'object',
          required: ['entries', 'next_start'],
          properties: {
            entries: { type: 'array', items: ref('Entry') },
            next_start: { type: ['integer', 'null'] },
          },
        },
        LogInfo: {
          type: 'object',
          required: ['origin', 'verifier_key', 'tree_size', 'root_hash', 'checkpoint'],
          properties: {
            origin: str('Log origin (checkpoint first line, key name)'),
            verifier_key: str('<name>+<8 hex key id>+<base64(0x01 ‖ Ed25519 public key)>'),
            tree_size: int('Entries'),
            root_hash: str('base64 root'),
            checkpoint: str('Latest signed checkpoint'),
          },
        },
        InclusionProof: {
          type: 'object',
          required: ['seq', 'tree_size', 'leaf_hash', 'hashes'],
          properties: {
            seq: int('Leaf index'),
            tree_size: int('Tree size'),
            leaf_hash: str('base64'),
            hashes: { type: 'array', items: { type: 'string' } },
          },
        },
        ConsistencyProof: {
          type: 'object',
          required: ['from', 'to', 'hashes'],
          properties: {
            from: int('Older size'),
            to: int('Newer size'),
            hashes: { type: 'array', items: { type: 'string' } },
          },
        },
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'reason', 'message'],
              properties: {
                code: str('The HTTP category (bad_request, not_found, …), kept for older clients'),
                reason: {
                  type: 'string',
                  enum: ERROR_REASONS,
                  description:
                    'What went wrong, precisely: branch on this (docs/api.md, Error reasons)',
                },
                message: str('What to fix'),
                path: str('JSON path of the bad field, or the parameter name'),
              },
            },
          },
        },
      },
    },
  };
}
