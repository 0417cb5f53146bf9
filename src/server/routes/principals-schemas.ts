import { APPROVAL_CHANGES, APPROVAL_STATUSES } from '../../access/admin/approval.js';
import { MAX_PRINCIPAL_PAGE } from '../../access/admin/principal-directory.js';
import { ROLES } from '../../access/principal.js';
import {
  bool,
  CURSOR_PARAMETER,
  errorResponses,
  type JsonSchema,
  jsonResponse,
  NEXT_CURSOR,
  NO_QUERY,
  nullable,
  object,
  queryChoice,
  queryInteger,
  querystring,
  str,
  time,
} from '../http/schemas.js';

/**
 * Schemas of the principal and approval routes. Body fields are checked here for their names
 * (unknown ones refused with a hint) and by the access/admin parsers for their values, which
 * word each problem with its field's rules (principal-input.ts).
 */

const anyValue = (description: string): JsonSchema => ({ description });
const ref = (what: string): JsonSchema =>
  object({ id: str(`${what} id`), name: str(`${what} name`) }, ['id', 'name']);

export const grantJson: JsonSchema = object(
  {
    role: { type: 'string', enum: [...ROLES] },
    sources: nullable({
      type: 'array',
      items: { type: 'string' },
      description: 'Source patterns; null: every source',
    }),
  },
  ['role', 'sources'],
);

export const principalJsonSchema: JsonSchema = object(
  {
    id: str('Principal id (a ULID: creation order)'),
    kind: { type: 'string', enum: ['person', 'service'] },
    name: str('Unique sign-in name'),
    display_name: nullable(str('Shown name')),
    email: nullable(str('Contact address')),
    roles: { type: 'array', items: grantJson },
    disabled: bool('Disabled principals have no working credential'),
    sign_in: object(
      {
        password: bool('A password is set'),
        oidc: nullable(
          object({ issuer: str('OpenID issuer'), subject: str('OpenID subject') }, [
            'issuer',
            'subject',
          ]),
        ),
        last_success_at: nullable(time('Last successful sign-in')),
        locked_until: nullable(time('Locked out after failed sign-ins until then')),
      },
      ['password', 'oidc', 'last_success_at', 'locked_until'],
    ),
    created_at: time('Created'),
    created_by: str('Who created it'),
  },
  [
    'id',
    'kind',
    'name',
    'display_name',
    'email',
    'roles',
    'disabled',
    'sign_in',
    'created_at',
    'created_by',
  ],
);

export const approvalJsonSchema: JsonSchema = object(
  {
    id: str('Request id'),
    change: { type: 'string', enum: [...APPROVAL_CHANGES] },
    status: { type: 'string', enum: [...APPROVAL_STATUSES] },
    subject: ref('Subject'),
    requested_by: ref('Requester'),
    requested_at: time('Asked'),
    expires_at: time('Void after (72 hours)'),
    reason: nullable(str('Why the requester asks')),
    decided_by: nullable(ref('Decider')),
    decided_at: nullable(time('Decided')),
    decision_reason: nullable(str('Why it was decided so')),
    roles: { type: 'array', items: grantJson, description: 'reader_grant: what approval gives' },
    token_id: str('reader_token: the token that starts working on approval'),
    retention_policy: object(
      {
        source: str('The source, or * for the default'),
        min: nullable(str('Minimum retention (ISO 8601: P12M, P90D)')),
        max: nullable(str('Maximum retention')),
        archive: bool('Archive before purge'),
      },
      ['source', 'min', 'max', 'archive'],
      { description: 'retention_shorten: the policy that applies on approval' },
    ),
  },
  [
    'id',
    'change',
    'status',
    'subject',
    'requested_by',
    'requested_at',
    'expires_at',
    'reason',
    'decided_by',
    'decided_at',
    'decision_reason',
  ],
);

const ID_PARAMS = object({ id: str('Id') }, ['id']);

const changed = (description: string) =>
  jsonResponse(
    description,
    object(
      {
        principal: principalJsonSchema,
        approval: nullable(approvalJsonSchema),
        approvals: { type: 'array', items: approvalJsonSchema },
      },
      ['principal', 'approval', 'approvals'],
    ),
  );

export const createPrincipalSchema = {
  summary: 'Create a person or a service (principals.manage; audited principal.create)',
  description:
    'Asking for admin is an admin grant: the account is made without it and a four-eyes request is returned, except while no account holds admin (the bootstrap token grants it directly). Reading roles for a service, or for a person created with a password or OpenID Connect link, wait for a second admin (reader_grant) unless four-eyes for reader grants is off. The account, its requests and their events commit together.',
  querystring: NO_QUERY,
  body: object(
    {
      kind: anyValue('"person" or "service"'),
      name: anyValue("1–128 lower-case letters, digits, '.', '_', '-', '@'"),
      display_name: anyValue('Shown name, or null'),
      email: anyValue('Contact address, or null'),
      password: anyValue('People only: 12–1024 characters, stored as an scrypt hash'),
      oidc_subject: anyValue('With oidc_issuer: the OpenID Connect identity that signs in'),
      oidc_issuer: anyValue('The https URL of the OpenID provider'),
      roles: anyValue('Role names or { role, sources? } objects'),
    },
    ['kind', 'name'],
  ),
  response: {
    201: changed('Created with every role asked for'),
    202: changed('Created; the roles in `approvals` wait for a second admin'),
    ...errorResponses(400, 401, 403, 409, 503),
  },
};

export const listPrincipalsSchema = {
  summary: 'People and services in creation order (principals.read)',
  description:
    'Not an event: administrative metadata, no log contents. Without `limit`, every match; with it, one page and `next_cursor`.',
  querystring: querystring({
    kind: queryChoice('Only people or only services', ['person', 'service']),
    role: queryChoice('Only holders of this role', ROLES),
    limit: queryInteger('Page size', { minimum: 1, maximum: MAX_PRINCIPAL_PAGE }),
    cursor: CURSOR_PARAMETER,
  }),
  response: {
    200: jsonResponse(
      'Principals in creation order',
      object(
        {
          principals: { type: 'array', items: principalJsonSchema },
          next_cursor: NEXT_CURSOR,
        },
        ['principals', 'next_cursor'],
      ),
    ),
    ...errorResponses(400, 401, 403),
  },
};

export const showPrincipalSchema = {
  summary: 'One principal (principals.read)',
  params: ID_PARAMS,
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The principal', principalJsonSchema),
    ...errorResponses(401, 403, 404),
  },
};

export const updatePrincipalSchema = {
  summary:
    'Change a profile, disable or enable, or reset a password (principals.manage; audited principal.update / disable / enable)',
  description:
    'A password reset or disabling ends the principal’s sessions. The last enabled admin cannot be disabled (409).',
  params: ID_PARAMS,
  querystring: NO_QUERY,
  body: object({
    display_name: anyValue('Shown name; null clears it'),
    email: anyValue('Contact address; null clears it'),
    disabled: anyValue('true or false'),
    password: anyValue('A new password (people only); clears a sign-in lock-out'),
  }),
  response: {
    200: jsonResponse('The principal after the change', principalJsonSchema),
    ...errorResponses(400, 401, 403, 404, 409, 503),
  },
};

export const setRolesSchema = {
  summary:
    'Replace the roles (principals.manage; audited principal.role_grant / role_revoke, approval.request)',
  description:
    'Removed roles, and reading roles left as they are, apply at once; adding or removing admin, and reading roles for a principal an admin controls, become four-eyes requests (202).',
  params: ID_PARAMS,
  querystring: NO_QUERY,
  body: object(
    {
      roles: anyValue('Role names or { role, sources? } objects; [] removes every role'),
      reason: anyValue('Why (shown to the approver), up to 1024 characters'),
    },
    ['roles'],
  ),
  response: {
    200: changed('Applied'),
    202: changed('Part of it waits for a second admin'),
    ...errorResponses(400, 401, 403, 404, 409, 503),
  },
};

const reasonBody = object({ reason: anyValue('Why, up to 1024 characters') });

export const listApprovalsSchema = {
  summary: 'Four-eyes requests, newest first (approvals.decide)',
  querystring: querystring({
    status: queryChoice('Which requests (default pending)', [...APPROVAL_STATUSES, 'all']),
  }),
  response: {
    200: jsonResponse(
      'Requests',
      object({ approvals: { type: 'array', items: approvalJsonSchema } }, ['approvals']),
    ),
    ...errorResponses(400, 401, 403),
  },
};

export const approveSchema = {
  summary:
    'Approve a request, applying its change (approvals.decide; audited approval.approve with the role events)',
  description:
    'The request and its change commit together with their events: a request never shows as approved without its change.',
  params: ID_PARAMS,
  querystring: NO_QUERY,
  body: reasonBody,
  response: {
    200: jsonResponse(
      'Approved and applied',
      object({ approval: approvalJsonSchema, principal: nullable(principalJsonSchema) }, [
        'approval',
        'principal',
      ]),
    ),
    ...errorResponses(400, 401, 403, 404, 409, 503),
  },
};

export const rejectSchema = {
  summary: 'Reject or withdraw a request (approvals.decide; audited approval.reject)',
  params: ID_PARAMS,
  querystring: NO_QUERY,
  body: reasonBody,
  response: {
    200: jsonResponse('Rejected', object({ approval: approvalJsonSchema }, ['approval'])),
    ...errorResponses(400, 401, 403, 404, 409, 503),
  },
};

const fourEyesJsonSchema = object(
  {
    reader_grants: { type: 'string', enum: ['on', 'off'] },
    changed_by: nullable(str('Who changed it last')),
    changed_at: nullable(time('When')),
  },
  ['reader_grants', 'changed_by', 'changed_at'],
);

export const getFourEyesSchema = {
  summary: 'Four-eyes settings (settings.manage)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The settings', fourEyesJsonSchema),
    ...errorResponses(401, 403),
  },
};

export const putFourEyesSchema = {
  summary: 'Turn four-eyes for reader grants on or off (settings.manage; audited settings.update)',
  description:
    'Off is for one-person installs: refused (409) while two or more admin accounts are enabled.',
  querystring: NO_QUERY,
  body: object({ reader_grants: anyValue('"on" or "off"') }, ['reader_grants']),
  response: {
    200: jsonResponse('The settings', fourEyesJsonSchema),
    ...errorResponses(400, 401, 403, 409, 503),
  },
};
