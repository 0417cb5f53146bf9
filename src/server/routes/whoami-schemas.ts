import { ROLES } from '../../access/principal.js';
import {
  errorResponses,
  jsonResponse,
  NO_QUERY,
  nullable,
  object,
  str,
  time,
} from '../http/schemas.js';

const grant = object(
  {
    role: { type: 'string', enum: [...ROLES] },
    sources: {
      type: ['array', 'null'],
      items: { type: 'string' },
      description: 'Sources the role covers; null: every source',
    },
  },
  ['role', 'sources'],
);

const credential = {
  oneOf: [
    object({ method: { const: 'ingest_key' }, key_id: str('The ingest key') }, [
      'method',
      'key_id',
    ]),
    object(
      {
        method: { const: 'token' },
        token_id: str('The API token'),
        label: nullable(str("The token's label")),
        expires_at: nullable(time('When the token stops working')),
      },
      ['method', 'token_id', 'label', 'expires_at'],
    ),
    object({ method: { type: 'string', enum: ['session', 'bootstrap'] } }, ['method']),
  ],
};

const ingestCaller = object(
  {
    id: str('The ingest key id'),
    kind: { const: 'ingest' },
    name: { type: 'null' },
    source: str('The source the key appends as'),
    roles: { type: 'array', maxItems: 0 },
    credential,
  },
  ['id', 'kind', 'name', 'source', 'roles', 'credential'],
);

const accountCaller = object(
  {
    id: str('Principal id'),
    kind: { type: 'string', enum: ['person', 'service'] },
    name: str('Sign-in name'),
    display_name: nullable(str('Display name')),
    email: nullable(str('E-mail')),
    roles: {
      type: 'array',
      items: grant,
      description: "What this credential may use, after a token's narrowing",
    },
    credential,
    four_eyes: object({ reader_grants: { type: 'string', enum: ['on', 'off'] } }, [
      'reader_grants',
    ]),
  },
  ['id', 'kind', 'name', 'display_name', 'email', 'roles', 'credential', 'four_eyes'],
);

export const whoamiSchema = {
  summary: 'Who this credential is (any principal, ingest keys too; not audited: reads no events)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The caller', { oneOf: [ingestCaller, accountCaller] }),
    ...errorResponses(400, 401),
  },
};
