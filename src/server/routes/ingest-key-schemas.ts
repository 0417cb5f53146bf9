import { errorResponses, jsonResponse, NO_QUERY, object, str, time } from '../http/schemas.js';

const SOURCE_RULE = "1–128 letters, digits, '.', '_' or '-', starting with a letter or digit";

export const ingestKeyJson = object(
  {
    id: str('Key id (16 hex digits)'),
    source: str('The source its events carry'),
    label: { type: ['string', 'null'], description: 'What the key is for' },
    created_at: time('When it was made'),
    revoked_at: { type: ['string', 'null'], format: 'date-time', description: 'null: live' },
  },
  ['id', 'source', 'label', 'created_at', 'revoked_at'],
);

export type CreateIngestKeyBody = { source: string; label?: string | null };

export const createIngestKeySchema = {
  summary: 'Create an ingest key bound to one source (ingest_keys.manage; audited)',
  description:
    'The key (evk_…) is in the answer once and is stored only as a hash. It may append events as its source and nothing else. Appends the event ingest_key.create.',
  querystring: NO_QUERY,
  body: object(
    {
      // The naming rule itself is checked by the service (invalid_source_name, source_reserved).
      source: str(`The source its events carry: ${SOURCE_RULE}; "evident" is reserved`, {
        minLength: 1,
        maxLength: 128,
      }),
      label: {
        type: ['string', 'null'],
        minLength: 1,
        maxLength: 256,
        description: 'What the key is for',
      },
    },
    ['source'],
  ),
  response: {
    201: jsonResponse('The key, with its secret (shown this once)', {
      ...ingestKeyJson,
      required: [...(ingestKeyJson.required as string[]), 'key'],
      properties: {
        ...(ingestKeyJson.properties as object),
        key: str('evk_<id>_<secret>'),
      },
    }),
    ...errorResponses(400, 401, 403, 415),
  },
};

export const listIngestKeysSchema = {
  summary: 'Every ingest key, revoked ones included, never a secret (ingest_keys.manage)',
  description: 'Appends the event ingest_key.list.',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('Keys', object({ keys: { type: 'array', items: ingestKeyJson } }, ['keys'])),
    ...errorResponses(400, 401, 403),
  },
};

export const revokeIngestKeySchema = {
  summary: 'Revoke an ingest key (ingest_keys.manage; audited)',
  description:
    'From then on the key is refused (401). Revoking a revoked key changes nothing and appends nothing; the first revocation appends ingest_key.revoke.',
  params: object(
    { id: str('The key id (the part between evk_ and the secret)', { maxLength: 64 }) },
    ['id'],
  ),
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The key, now revoked', ingestKeyJson),
    ...errorResponses(400, 401, 403, 404),
  },
};
