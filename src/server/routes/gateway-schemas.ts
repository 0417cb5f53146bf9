import { MAX_GATEWAY_CREDENTIAL_HOURS } from '../../access/gateway/gateway-credentials.js';
import { ROLES } from '../../access/principal.js';
import {
  errorResponses,
  int,
  type JsonSchema,
  jsonResponse,
  NO_QUERY,
  nullable,
  object,
  str,
  time,
} from '../http/schemas.js';

const idParams = (what: string) => ({ params: object({ id: str(what) }, ['id']) });

const credential: JsonSchema = object(
  {
    id: str('Credential id (gwc_…)'),
    principal_id: str('The person it signs in as'),
    label: nullable(str('A name for people')),
    status: { type: 'string', enum: ['active', 'expired', 'revoked'] },
    created_at: time('Made'),
    expires_at: time('Stops working; open sessions end before their next statement'),
    revoked_at: nullable(time('Revoked')),
    revoked_by: nullable(str('Who revoked it')),
  },
  ['id', 'principal_id', 'label', 'status', 'created_at', 'expires_at', 'revoked_at', 'revoked_by'],
);
const credentialList = object({ credentials: { type: 'array', items: credential } }, [
  'credentials',
]);

const grant: JsonSchema = object(
  {
    id: str('Grant id (gwg_…)'),
    person: str('The person (account id) it applies to; absent for a role grant'),
    role: { type: 'string', enum: [...ROLES], description: 'Everyone holding this Evident role' },
    database: str('The database name, as clients ask for it'),
    upstream_role: str("The gateway's upstream role for that database"),
    created_at: time('Made'),
    created_by: str('Who made it'),
  },
  ['id', 'database', 'upstream_role', 'created_at', 'created_by'],
);

export const mintGatewayCredentialSchema = {
  summary:
    'Make your own database-gateway credential (people only; audited gateway_credential.create)',
  description:
    'The secret is the PostgreSQL password, in this answer only; the server keeps its SCRAM-SHA-256 verifier. The lifetime is its own (not the sign-in’s). It replaces your previous live credential: its sessions end before their next statement.',
  querystring: NO_QUERY,
  body: object(
    {
      expires_in_hours: int('Lifetime in hours (required: no default)', {
        minimum: 1,
        maximum: MAX_GATEWAY_CREDENTIAL_HOURS,
      }),
      label: nullable(str('A name for people', { maxLength: 256 })),
    },
    ['expires_in_hours'],
  ),
  response: {
    201: jsonResponse('The credential, with its secret shown once', {
      ...credential,
      properties: {
        ...(credential.properties as Record<string, JsonSchema>),
        secret: str('`evg_…`: the password to connect with; shown only now'),
        user: str('The PostgreSQL user name to connect with (your account name)'),
      },
      required: [...(credential.required as string[]), 'secret', 'user'],
    }),
    ...errorResponses(400, 401, 403),
  },
};

export const listOwnGatewayCredentialsSchema = {
  summary: 'Your own database-gateway credentials (any account)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('Credentials, oldest first', credentialList),
    ...errorResponses(400, 401, 403),
  },
};

export const listAllGatewayCredentialsSchema = {
  summary: "Everyone's database-gateway credentials (gateway.manage)",
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('Credentials, oldest first', credentialList),
    ...errorResponses(400, 401, 403),
  },
};

export const revokeGatewayCredentialSchema = {
  summary:
    'Revoke a database-gateway credential (your own, or anyone’s with gateway.manage; audited gateway_credential.revoke)',
  description:
    "Its open sessions end before their next statement. Someone else's credential answers 404 unless you manage the gateway. Revoking twice keeps the first time.",
  ...idParams('Credential id'),
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The revoked credential', credential),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const listGatewayGrantsSchema = {
  summary:
    'The gateway policy: who may reach which database as which upstream role (gateway.manage)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'Grants, oldest first',
      object({ grants: { type: 'array', items: grant } }, ['grants']),
    ),
    ...errorResponses(400, 401, 403),
  },
};

export const createGatewayGrantSchema = {
  summary:
    'Let a person, or a role, reach a database as an upstream role (gateway.manage; audited gateway_grant.create)',
  description: 'Give exactly one of person (account id or name) and role.',
  querystring: NO_QUERY,
  body: object(
    {
      person: str('Account id or sign-in name of a person', { minLength: 1, maxLength: 256 }),
      role: { type: 'string', enum: [...ROLES], description: 'Everyone holding this Evident role' },
      database: str('Database name', { minLength: 1, maxLength: 63 }),
      upstream_role: str("The gateway's upstream role for that database", {
        minLength: 1,
        maxLength: 63,
      }),
    },
    ['database', 'upstream_role'],
  ),
  response: {
    201: jsonResponse('The grant', grant),
    ...errorResponses(400, 401, 403, 409),
  },
};

export const deleteGatewayGrantSchema = {
  summary: 'Remove a grant (gateway.manage; audited gateway_grant.delete)',
  description: 'Sessions it allowed end before their next statement once the gateway syncs.',
  ...idParams('Grant id'),
  querystring: NO_QUERY,
  response: {
    200: jsonResponse('The removed grant', grant),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const gatewaySyncSchema = {
  summary:
    "What a running gateway fetches (gateway.sync): people's unexpired SCRAM verifiers and where each may go",
  description:
    'Verifiers only, never secrets. Revoked credentials are listed until they expire, so a gateway can say why a session ended.',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'The snapshot',
      object(
        {
          credentials: {
            type: 'array',
            items: object(
              {
                id: str('Credential id'),
                person_id: str('Account id: the actor of the events'),
                person: str('Account name: the PostgreSQL user name'),
                verifier: str('SCRAM-SHA-256$<iter>:<salt>$<StoredKey>:<ServerKey>'),
                expires_at: time('Stops working'),
                revoked: { type: 'boolean' },
                access: {
                  type: 'array',
                  items: object(
                    { database: str('Database'), upstream_role: str('Upstream role') },
                    ['database', 'upstream_role'],
                  ),
                },
              },
              ['id', 'person_id', 'person', 'verifier', 'expires_at', 'revoked', 'access'],
            ),
          },
        },
        ['credentials'],
      ),
    ),
    ...errorResponses(400, 401, 403),
  },
};
