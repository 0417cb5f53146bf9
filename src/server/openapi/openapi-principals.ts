import { NAME_PATTERN } from '../../access/accounts.js';
import { MAX_TOKEN_DAYS, MAX_TOKEN_HOURS } from '../../access/admin/account-tokens.js';
import { APPROVAL_CHANGES, APPROVAL_STATUSES } from '../../access/admin/approval.js';
import { MIN_PASSWORD_LENGTH } from '../../access/passwords.js';
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
const reasonBody = {
  required: false,
  content: json({
    type: 'object',
    additionalProperties: false,
    properties: { reason: { type: 'string', maxLength: 1024 } },
  }),
};
const changed = (description: string) => ({
  description,
  content: json({
    type: 'object',
    required: ['principal', 'approval', 'approvals'],
    properties: {
      principal: ref('Principal'),
      approval: {
        oneOf: [ref('Approval'), { type: 'null' }],
        description: 'The first request opened (the admin one when there are two)',
      },
      approvals: { type: 'array', items: ref('Approval'), description: 'Every request opened' },
    },
  }),
});
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
    '/api/v1/principals': {
      get: {
        summary: 'People and services (principals.read)',
        description: 'Not an event: administrative metadata, no log contents.',
        parameters: [
          { name: 'kind', in: 'query', schema: { type: 'string', enum: ['person', 'service'] } },
          { name: 'role', in: 'query', schema: { type: 'string', enum: ROLES } },
        ],
        responses: {
          '200': {
            description: 'Principals in creation order',
            content: json({
              type: 'object',
              required: ['principals'],
              properties: { principals: { type: 'array', items: ref('Principal') } },
            }),
          },
          ...errors(400, 401, 403),
        },
      },
      post: {
        summary: 'Create a person or a service (principals.manage; audited principal.create)',
        description:
          'Asking for admin is an admin grant: the account is made without it and a four-eyes request is returned, except while no account holds admin, when the bootstrap token grants it directly (details.bootstrap = true). Reading roles (auditor, reviewer, any scope) for a service, or for a person created with a password or OpenID Connect link, likewise wait for a second admin (change reader_grant) unless four-eyes for reader grants is off or no admin account exists yet. Asking for admin while setting the credentials yourself is refused (409): that request could never be approved.',
        requestBody: { required: true, content: json(ref('NewPrincipal')) },
        responses: {
          '201': changed('Created with every role asked for'),
          '202': changed('Created; the roles in `approvals` wait for a second admin'),
          ...errors(400, 401, 403, 409),
        },
      },
    },
    '/api/v1/principals/{id}': {
      get: {
        summary: 'One principal (principals.read)',
        parameters: [idParameter('Principal id')],
        responses: {
          '200': { description: 'The principal', content: json(ref('Principal')) },
          ...errors(401, 403, 404),
        },
      },
      patch: {
        summary:
          'Change profile fields, disable or enable, reset a password (principals.manage; audited)',
        description:
          "Nobody disables themselves (403); the last enabled admin account cannot be disabled (409); another admin's password, or that of an account waiting for an admin grant, cannot be reset while other admins exist (403: one person could act as two admins). A password set for someone else is recorded on the account for 30 days (see docs/security.md, credential control).",
        parameters: [idParameter('Principal id')],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              display_name: nullableString,
              email: nullableString,
              disabled: { type: 'boolean' },
              password: { type: 'string', minLength: MIN_PASSWORD_LENGTH },
            },
          }),
        },
        responses: {
          '200': { description: 'The principal after the change', content: json(ref('Principal')) },
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    '/api/v1/principals/{id}/roles': {
      put: {
        summary:
          "Replace a principal's roles (principals.manage; audited principal.role_grant / role_revoke)",
        description:
          "Nobody changes their own roles (403). Removing a reading role applies at once; giving or re-scoping one applies at once (200) unless the principal is a service or an account whose credentials another set within 30 days, when it waits for a different admin (202, change reader_grant; off with four_eyes.reader_grants). Giving or taking admin opens a four-eyes request (202); it is refused (409) when the requester set the subject's credentials within 30 days. The last admin cannot lose admin (409).",
        parameters: [idParameter('Principal id')],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['roles'],
            properties: {
              roles: { type: 'array', items: ref('GrantInput') },
              reason: { type: 'string', maxLength: 1024, description: 'Shown to the approver' },
            },
          }),
        },
        responses: {
          '200': changed('Applied'),
          '202': changed('What may apply at once applied; the rest waits in `approvals`'),
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
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
    '/api/v1/approvals': {
      get: {
        summary: 'Four-eyes requests, newest first (approvals.decide)',
        parameters: [
          {
            name: 'status',
            in: 'query',
            schema: { type: 'string', enum: [...APPROVAL_STATUSES, 'all'], default: 'pending' },
          },
        ],
        responses: {
          '200': {
            description: 'Requests',
            content: json({
              type: 'object',
              required: ['approvals'],
              properties: { approvals: { type: 'array', items: ref('Approval') } },
            }),
          },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/v1/approvals/{id}/approve': {
      post: {
        summary: 'Approve and apply a request (approvals.decide; audited approval.approve)',
        description:
          'The approver is a named admin who neither asked nor is the subject; the bootstrap token cannot approve (403). 409 when the request is no longer pending or cannot apply (e.g. the last admin).',
        parameters: [idParameter('Request id')],
        requestBody: reasonBody,
        responses: {
          '200': {
            description: 'Approved and applied',
            content: json({
              type: 'object',
              properties: { approval: ref('Approval'), principal: ref('Principal') },
            }),
          },
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    '/api/v1/approvals/{id}/reject': {
      post: {
        summary:
          'Reject, or withdraw your own, request (approvals.decide; audited approval.reject)',
        description: 'The subject cannot reject a request about themselves (403).',
        parameters: [idParameter('Request id')],
        requestBody: reasonBody,
        responses: {
          '200': {
            description: 'Rejected',
            content: json({ type: 'object', properties: { approval: ref('Approval') } }),
          },
          ...errors(400, 401, 403, 404, 409),
        },
      },
    },
    '/api/v1/settings/four-eyes': {
      get: {
        summary: 'Four-eyes settings (settings.manage)',
        responses: {
          '200': { description: 'The settings', content: json(ref('FourEyesSettings')) },
          ...errors(401, 403),
        },
      },
      put: {
        summary:
          'Turn four-eyes for reader grants on or off (settings.manage; audited settings.update)',
        description:
          'Off lets one admin give reading roles (and reading tokens) to principals an admin controls; it is for one-person installs and is refused (409) while more than one admin account is enabled. /healthz and whoami show the state.',
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['reader_grants'],
            properties: { reader_grants: { type: 'string', enum: ['on', 'off'] } },
          }),
        },
        responses: {
          '200': { description: 'The settings', content: json(ref('FourEyesSettings')) },
          ...errors(400, 401, 403, 409),
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
    GrantInput: {
      oneOf: [
        { type: 'string', enum: ROLES },
        {
          type: 'object',
          additionalProperties: false,
          required: ['role'],
          properties: {
            role: { type: 'string', enum: ROLES },
            sources: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*\\*?$|^\\*$' },
              description: 'Not for admin, which manages the whole log',
            },
          },
        },
      ],
    },
    NewPrincipal: {
      type: 'object',
      additionalProperties: false,
      required: ['kind', 'name'],
      properties: {
        kind: { type: 'string', enum: ['person', 'service'] },
        name: { type: 'string', pattern: NAME_PATTERN.source },
        display_name: nullableString,
        email: nullableString,
        password: {
          type: 'string',
          minLength: MIN_PASSWORD_LENGTH,
          description: 'People only; stored as an scrypt hash, never returned',
        },
        oidc_issuer: { type: 'string', description: 'With oidc_subject; people only' },
        oidc_subject: { type: 'string' },
        roles: { type: 'array', items: ref('GrantInput') },
      },
    },
    Principal: {
      type: 'object',
      required: ['id', 'kind', 'name', 'roles', 'disabled', 'sign_in', 'created_at'],
      properties: {
        id: { type: 'string' },
        kind: { type: 'string', enum: ['person', 'service'] },
        name: { type: 'string' },
        display_name: nullableString,
        email: nullableString,
        roles: { type: 'array', items: grant },
        disabled: { type: 'boolean' },
        sign_in: {
          type: 'object',
          properties: {
            password: { type: 'boolean', description: 'A password is set (its hash never leaves)' },
            oidc: {
              type: ['object', 'null'],
              properties: { issuer: { type: 'string' }, subject: { type: 'string' } },
            },
            last_success_at: nullableTime,
            locked_until: nullableTime,
          },
        },
        created_at: { type: 'string', format: 'date-time' },
        created_by: { type: 'string' },
      },
    },
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
    FourEyesSettings: {
      type: 'object',
      required: ['reader_grants', 'changed_by', 'changed_at'],
      properties: {
        reader_grants: { type: 'string', enum: ['on', 'off'] },
        changed_by: nullableString,
        changed_at: nullableTime,
      },
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
