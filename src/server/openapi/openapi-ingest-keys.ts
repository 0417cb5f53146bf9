/**
 * The OpenAPI part for ingest keys (POST/GET /api/v1/keys, revoke): paths and schemas that
 * openapi.ts spreads into the document. The same operations as `evident keys`.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );
const SOURCE_RULE = "1–128 letters, digits, '.', '_' or '-', starting with a letter or digit";

export function ingestKeyPaths(): Record<string, unknown> {
  return {
    '/api/v1/keys': {
      post: {
        summary: 'Create an ingest key bound to one source (ingest_keys.manage; audited)',
        description:
          'The key (evk_…) is in the answer once and is stored only as a hash. It may append events as its source and nothing else. Appends the event ingest_key.create.',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['source'],
            properties: {
              source: {
                type: 'string',
                description: `The source its events carry: ${SOURCE_RULE}; "evident" is reserved`,
                pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$',
              },
              label: { type: 'string', maxLength: 256, description: 'What the key is for' },
            },
          }),
        },
        responses: {
          '201': {
            description: 'The key, with its secret (shown this once)',
            content: json({
              allOf: [
                ref('IngestKey'),
                {
                  type: 'object',
                  required: ['key'],
                  properties: { key: { type: 'string', description: 'evk_<id>_<secret>' } },
                },
              ],
            }),
          },
          ...errors(400, 401, 403, 415),
        },
      },
      get: {
        summary: 'Every ingest key, revoked ones included, never a secret (ingest_keys.manage)',
        description: 'Appends the event ingest_key.list.',
        responses: {
          '200': {
            description: 'Keys',
            content: json({
              type: 'object',
              required: ['keys'],
              properties: { keys: { type: 'array', items: ref('IngestKey') } },
            }),
          },
          ...errors(401, 403),
        },
      },
    },
    '/api/v1/keys/{id}/revoke': {
      post: {
        summary: 'Revoke an ingest key (ingest_keys.manage; audited)',
        description:
          'From then on the key is refused (401). Revoking a revoked key changes nothing and appends nothing; the first revocation appends ingest_key.revoke.',
        parameters: [
          {
            name: 'id',
            in: 'path',
            required: true,
            description: 'The key id (the part between evk_ and the secret)',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': { description: 'The key, now revoked', content: json(ref('IngestKey')) },
          ...errors(401, 403, 404),
        },
      },
    },
  };
}

export function ingestKeySchemas(): Record<string, unknown> {
  const time = { type: 'string', format: 'date-time' };
  return {
    IngestKey: {
      type: 'object',
      required: ['id', 'source', 'label', 'created_at', 'revoked_at'],
      properties: {
        id: { type: 'string', description: 'Key id (16 hex digits)' },
        source: { type: 'string' },
        label: { type: ['string', 'null'] },
        created_at: time,
        revoked_at: { type: ['string', 'null'], format: 'date-time' },
      },
    },
  };
}
