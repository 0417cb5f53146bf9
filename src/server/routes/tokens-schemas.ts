import { MAX_TOKEN_DAYS, MAX_TOKEN_HOURS } from '../../access/admin/account-tokens.js';
import { ROLES } from '../../access/principal.js';
import {
  errorResponses,
  handlerParsedBody,
  IGNORED_QUERY,
  type JsonSchema,
  jsonResponse,
  NO_QUERY,
  nullable,
  object,
  str,
  time,
} from '../http/schemas.js';

const tokenId = { params: object({ id: str('Token id (16 hex digits)') }, ['id']) };
const principalId = { params: object({ id: str('Principal id') }, ['id']) };

const apiToken: JsonSchema = object(
  {
    id: str('Token id'),
    principal_id: str('The account the token acts as'),
    label: nullable(str('A name for people')),
    roles: {
      type: ['array', 'null'],
      items: { type: 'string', enum: [...ROLES] },
      description: "The account's roles it may use; null: every role of the account",
    },
    status: { type: 'string', enum: ['active', 'expired', 'revoked', 'awaiting_approval'] },
    created_at: time('Made'),
    created_by: str('Who made it'),
    expires_at: time('Stops working'),
    revoked_at: nullable(time('Revoked')),
    revoked_by: nullable(str('Who revoked it')),
  },
  [
    'id',
    'principal_id',
    'label',
    'roles',
    'status',
    'created_at',
    'created_by',
    'expires_at',
    'revoked_at',
    'revoked_by',
  ],
);

const tokenList = object({ tokens: { type: 'array', items: apiToken } }, ['tokens']);

const secret = str('`evt_<id>_<secret>`: shown only in this answer; stored hashed');

/** A new token: the record plus its secret (and, for a service token that waits, the request). */
export const newToken = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  ...apiToken,
  properties: { ...(apiToken.properties as Record<string, JsonSchema>), token: secret, ...extra },
  required: [...(apiToken.required as string[]), 'token'],
});

const tokenRequest = handlerParsedBody(
  object({
    label: nullable(str('A name for people', { maxLength: 256 })),
    roles: {
      type: 'array',
      items: { type: 'string', enum: [...ROLES] },
      uniqueItems: true,
      description:
        "Narrows the token to these roles (with the account's sources). Default: every role the caller's credential holds (own tokens) or the service holds.",
    },
    expires_in_days: { type: 'integer', minimum: 1, maximum: MAX_TOKEN_DAYS, default: 90 },
    expires_in_hours: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_TOKEN_HOURS,
      description:
        'Instead of expires_in_days, for a short-lived token (evident login asks for 12)',
    },
  }),
);

export const createOwnTokenSchema = {
  summary: 'Make an API token for yourself (any account; audited token.create)',
  description:
    'It carries at most what the calling credential holds, fixed when it is made. The secret is in this answer only.',
  querystring: IGNORED_QUERY,
  body: tokenRequest,
  response: {
    201: jsonResponse('The token, shown once', newToken()),
    ...errorResponses(400, 401, 403),
  },
};

export const listOwnTokensSchema = {
  summary: 'Your own API tokens (any account)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('Tokens, oldest first', tokenList),
    ...errorResponses(400, 401, 403),
  },
};

export const revokeTokenSchema = {
  summary:
    'Revoke a token at once (your own, or anyone’s with tokens.manage; audited token.revoke)',
  description:
    "Someone else's token answers 404 unless you manage tokens. Revoking twice keeps the first time.",
  ...tokenId,
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The revoked token', apiToken),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const createServiceTokenSchema = {
  summary: 'Make an API token for a service principal (tokens.manage; audited token.create)',
  description:
    'People make their own tokens (POST /api/v1/tokens): one made for them would let an admin act as them (403). A token carrying admin for another admin service, or any token for a service waiting for an admin grant, is refused while other admins exist. A token carrying a reading role is made at once but works only after a different admin approves it (202, change reader_token; one waiting token per service, 409), unless four-eyes for reader grants is off.',
  ...principalId,
  querystring: IGNORED_QUERY,
  body: tokenRequest,
  response: {
    201: jsonResponse('The token, shown once', newToken()),
    202: jsonResponse(
      'The token, shown once; it works after a second admin approves the request',
      newToken({ approval: { type: 'object', description: 'The reader_token approval request' } }),
    ),
    ...errorResponses(400, 401, 403, 404, 409),
  },
};

export const listPrincipalTokensSchema = {
  summary: "A principal's API tokens (tokens.manage)",
  ...principalId,
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('Tokens, oldest first', tokenList),
    ...errorResponses(400, 401, 403, 404),
  },
};
