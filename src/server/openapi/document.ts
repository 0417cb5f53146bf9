import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

type Json = Record<string, unknown>;

const DESCRIPTION =
  'A tamper-evident audit log. Every event is a leaf of an RFC 9162 Merkle tree: leaf_hash = SHA-256(0x00 ‖ JCS(record)) with JCS = RFC 8785. ' +
  'Checkpoints are C2SP tlog-checkpoint signed notes (Ed25519). Hashes in JSON are standard base64. ' +
  'Errors are {"error":{"code","reason","message","path"?}}. Every read, search, export and proof request, and every change to principals, tokens, keys, rules or settings, by any credential (person, service, API token, session or the bootstrap admin token), is itself appended to the log as an event of source "evident" before the answer is sent.';

/**
 * Generates /api/v1/openapi.json from the routes' schemas (@fastify/swagger): register it
 * before the routes, so it sees each one. Shared components (http/schemas.ts) appear under
 * components.schemas by their `$id`. Every route declares its schemas (the coverage test
 * fails on one that does not), so nothing of the document is written by hand.
 */
export function installOpenApi(app: FastifyInstance): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Evident API', version: '1', description: DESCRIPTION },
      servers: [{ url: '/' }],
      security: [{ bearer: [] }, { session: [] }],
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
      },
    },
    // OpenAPI 3.1 has `const`; keep it (the record's `historical: true` is one).
    convertConstToEnum: false,
    refResolver: {
      // Components keep the names routes use (`ref('Entry')` is #/components/schemas/Entry).
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? json.$id : `def-${i}`,
    },
    transform: ({ schema, url, route }) => ({
      schema: route.config?.access === 'public' ? { ...schema, security: [] } : schema,
      // OpenAPI has no wildcard paths: the dashboard's catch-all is documented as `/`.
      url: url === '/*' ? '/' : url,
    }),
  });
}

/** The document as served (built once, on first request, after every route is registered). */
export function openApiDocument(app: FastifyInstance): Json {
  return app.swagger() as unknown as Json;
}
