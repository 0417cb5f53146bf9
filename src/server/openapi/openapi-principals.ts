import { MAX_TOKEN_DAYS, MAX_TOKEN_HOURS } from '../../access/admin/account-tokens.js';
import { APPROVAL_CHANGES, APPROVAL_STATUSES } from '../../access/admin/approval.js';
import { ROLES } from '../../access/principal.js';

/**
 * The OpenAPI part for principals, roles, API tokens, four-eyes approvals and whoami:
 * paths and schemas that openapi.ts spreads into the document.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );
const idParameter = (what: string) => ({
  name: 'id',
  in: 'path',
  required: true,
  description: what,
  schema: { type: 'string' },
});
const nullableTime = { type: ['string', 'null'], format: 'date-time' };
const nullableString = { type: ['string', 'null'] };
const principalRef = {
  type: 'object',
  required: ['id', 'name'],
  properties: { id: { type: 'string' }, name: { type: 'string' } },
};
const tokenBody = {
  required: false,
  content: json({
    type: 'object',
    additionalProperties: false,
    properties: {
      label: { type: ['string', 'null'], maxLength: 256 },
      roles: {
        type: 'array',
        items: { type: 'string', enum: ROLES },
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
    },
  }),
};

export function principalPaths(): Record<string, unknown> {
  return {
    '/api/v1/principals/{id}/tokens': {
      get: {
        summary: "A principal's API tokens (tokens.manage)",
        parameters: [idParameter('Principal id')],
        responses: {
          '200': { description: 'Tokens', content: json(ref('ApiTokenList')) },
          ...errors(401, 403, 404),
        },
      },
      post: {
        summary: 'Make an API token for a service principal (tokens.manage; audited token.create)',
        description:
          'People make their own tokens (POST /api/v1/tokens): one made for them would let an admin act as them (403). A token carrying admin for another admin service, or any token for a service waiting for an admin grant, is refused while other admins exist. A token carrying a reading role is made at once but works only after a different admin approves it (202, change reader_token; one waiting token per service, 409), unless four-eyes for reader grants is off.',
        parameters: [idParameter('Service principal id')],
        requestBody: tokenBody,
        responses: {
          '201': { description: 'The token, shown once', content: json(ref('NewApiToken')) },
          '202': {
            description:
              'The token, shown once, with status awaiting_approval and the request in `approval`',
            content: json({
              allOf: [
                ref('NewApiToken'),
                {
                  type: 'object',
                  required: ['approval'],
                  properties: { approval: ref('Approval') },
                },
              ],
            }),
          },
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    '/api/v1/tokens': {
      get: {
        summary: 'Your own API tokens (any account)',
        responses: {
          '200': { description: 'Tokens', content: json(ref('ApiTokenList')) },
          ...errors(401),
        },
      },
      post: {
        summary: 'Make an API token for yourself (audited token.create)',
        description:
          'Carries at most the roles of the calling credential (403 otherwise); roles granted later do not flow into it.',
        requestBody: tokenBody,
        responses: {
          '201': { description: 'The token, shown once', content: json(ref('NewApiToken')) },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/v1/tokens/{id}': {
      delete: {
        summary: 'Revoke a token at once (your own, or anyone’s with tokens.manage; audited)',
        description: "Someone else's token answers 404 unless you manage tokens.",
        parameters: [idParameter('Token id (16 hex digits)')],
        responses: {
          '200': { description: 'The revoked token', content: json(ref('ApiToken')) },
          ...errors(401, 404),
        },
      },
    },
    '/api/v1/whoami': {
      get: {
        summary: 'Who this credential is (any principal, ingest keys too)',
        responses: {
          '200': { description: 'The caller', content: json(ref('Whoami')) },
          ...errors(401),
        },
      },
    },
  };
}

export function principalSchemas(): Record<string, unknown> {
  const grant = {
    type: 'object',
    required: ['role', 'sources'],
    properties: {
      role: { type: 'string', enum: ROLES },
      sources: {
        type: ['array', 'null'],
        items: { type: 'string' },
        description: 'Source names or prefixes (`billing-*`); null: every source',
      },
    },
  };
  return {
    Grant: grant,
    Approval: {
      type: 'object',
      required: ['id', 'change', 'status', 'subject', 'requested_by', 'expires_at'],
      properties: {
        id: { type: 'string' },
        change: { type: 'string', enum: APPROVAL_CHANGES },
        status: {
          type: 'string',
          enum: APPROVAL_STATUSES,
          description: 'expired: 72 hours passed undecided',
        },
        subject: principalRef,
        requested_by: principalRef,
        requested_at: { type: 'string', format: 'date-time' },
        expires_at: { type: 'string', format: 'date-time' },
        reason: nullableString,
        decided_by: { oneOf: [principalRef, { type: 'null' }] },
        decided_at: nullableTime,
        decision_reason: nullableString,
        roles: {
          type: 'array',
          items: grant,
          description: 'reader_grant: the reading roles given on approval',
        },
        token_id: { type: 'string', description: 'reader_token: the token that starts working' },
      },
    },
    ApiToken: {
      type: 'object',
      required: ['id', 'principal_id', 'roles', 'status', 'expires_at'],
      properties: {
        id: { type: 'string' },
        principal_id: { type: 'string' },
        label: nullableString,
        roles: {
          type: ['array', 'null'],
          items: { type: 'string', enum: ROLES },
          description: 'null: every role of the account (older tokens)',
        },
        status: { type: 'string', enum: ['active', 'expired', 'revoked', 'awaiting_approval'] },
        created_at: { type: 'string', format: 'date-time' },
        created_by: { type: 'string' },
        expires_at: { type: 'string', format: 'date-time' },
        revoked_at: nullableTime,
        revoked_by: nullableString,
      },
    },
    ApiTokenList: {
      type: 'object',
      required: ['tokens'],
      properties: { tokens: { type: 'array', items: ref('ApiToken') } },
    },
    NewApiToken: {
      allOf: [
        ref('ApiToken'),
        {
          type: 'object',
          required: ['token'],
          properties: {
            token: {
              type: 'string',
              description: '`evt_<id>_<secret>`: shown only in this answer; stored hashed',
            },
          },
        },
      ],
    },
    Whoami: {
      type: 'object',
      required: ['id', 'kind', 'roles', 'credential'],
      properties: {
        id: { type: 'string' },
        kind: { type: 'string', enum: ['person', 'service', 'ingest'] },
        name: nullableString,
        display_name: nullableString,
        email: nullableString,
        source: { type: 'string', description: 'Ingest keys: the source they append as' },
        roles: {
          type: 'array',
          items: grant,
          description: "What this credential may use, after a token's narrowing",
        },
        credential: {
          type: 'object',
          required: ['method'],
          properties: {
            method: { type: 'string', enum: ['token', 'session', 'bootstrap', 'ingest_key'] },
            token_id: { type: 'string' },
            label: nullableString,
            expires_at: nullableTime,
            key_id: { type: 'string' },
          },
        },
        four_eyes: {
          type: 'object',
          description:
            'People and services: whether reading roles for principals an admin controls wait for a second admin',
          properties: { reader_grants: { type: 'string', enum: ['on', 'off'] } },
        },
      },
    },
  };
}
