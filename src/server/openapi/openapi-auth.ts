import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../access/passwords.js';

/**
 * The OpenAPI part for sign-in and sessions: paths and schemas that
 * openapi.ts spreads into the document.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [String(s), { $ref: `#/components/responses/Error${s}` }]),
  );
const tooMany = {
  '429': {
    description:
      'Too many failed sign-ins from this address; the Retry-After header says how many seconds to wait',
    headers: { 'Retry-After': { schema: { type: 'integer', minimum: 1 } } },
    content: json(ref('Error')),
  },
};
const csrfHeader = {
  name: 'X-CSRF-Token',
  in: 'header',
  required: false,
  description:
    'Required with the session cookie (the csrf_token from sign-in); not used with a Bearer token',
  schema: { type: 'string' },
};
const setCookie = {
  'Set-Cookie': {
    description:
      'evident_session=…; Path=/; HttpOnly; SameSite=Strict (and Secure over TLS or with --cookie-secure)',
    schema: { type: 'string' },
  },
};
const password = { type: 'string', maxLength: MAX_PASSWORD_LENGTH };

export function authPaths(): Record<string, unknown> {
  return {
    '/api/v1/auth/login': {
      post: {
        summary: 'Sign in with name and password (audited session.sign_in)',
        description:
          'Starts a new session (a fresh id on every sign-in; any session cookie sent along is ended) and sets the session cookie. ' +
          'Every refusal is the same 401 whatever the reason; the self-audit event records the real one (unknown_account, bad_password, no_password, disabled, locked). ' +
          'Five failures within 15 minutes lock the account for 1 minute, doubling with each further failure up to 1 hour.',
        security: [],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['name', 'password'],
            properties: { name: { type: 'string', maxLength: 256 }, password },
          }),
        },
        responses: {
          '200': {
            description: 'Signed in',
            headers: setCookie,
            content: json(ref('SignedIn')),
          },
          ...errors(400, 401),
          ...tooMany,
        },
      },
    },
    '/api/v1/auth/logout': {
      post: {
        summary: 'Sign out: end this session and clear the cookie (audited session.sign_out)',
        security: [{ session: [] }],
        parameters: [csrfHeader],
        responses: {
          '204': { description: 'Signed out', headers: setCookie },
          ...errors(400, 401, 403),
        },
      },
    },
    '/api/v1/auth/methods': {
      get: {
        summary: 'Which sign-in methods this server has set up (public; the sign-in page asks)',
        security: [],
        responses: {
          '200': {
            description: 'The methods',
            content: json({
              type: 'object',
              required: ['password', 'oidc'],
              properties: { password: { type: 'boolean' }, oidc: { type: 'boolean' } },
            }),
          },
          ...errors(400),
        },
      },
    },
    '/api/v1/auth/session': {
      get: {
        summary: 'The current session, its person and its CSRF token',
        security: [{ session: [] }],
        responses: {
          '200': {
            description: 'The session',
            content: json({
              type: 'object',
              required: ['principal', 'csrf_token', 'session'],
              properties: {
                principal: ref('SignedInPrincipal'),
                csrf_token: { type: 'string' },
                session: ref('Session'),
              },
            }),
          },
          ...errors(400, 401),
        },
      },
    },
    '/api/v1/auth/password': {
      post: {
        summary: "Change one's own password (audited principal.password_change)",
        description:
          'Needs the current password (wrong ones count towards the lock like sign-in failures). Ends every other session of the account.',
        parameters: [csrfHeader],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['current_password', 'new_password'],
            properties: {
              current_password: password,
              new_password: { ...password, minLength: MIN_PASSWORD_LENGTH },
            },
          }),
        },
        responses: {
          '200': {
            description: 'Changed',
            content: json({
              type: 'object',
              required: ['other_sessions_ended'],
              properties: { other_sessions_ended: { type: 'integer', minimum: 0 } },
            }),
          },
          ...errors(400, 401, 403),
          ...tooMany,
        },
      },
    },
    '/api/v1/auth/oidc/start': {
      get: {
        summary: 'Start an OpenID Connect sign-in: redirects to the provider',
        description:
          'Authorization code flow with PKCE (S256), state and nonce. The flow is stored for 10 minutes and bound to this browser by the evident_oidc cookie. 404 when OpenID Connect is not configured.',
        security: [],
        parameters: [
          {
            name: 'return_to',
            in: 'query',
            required: false,
            description: 'A path on this server to return to after sign-in (default /)',
            schema: { type: 'string', pattern: '^/(?![/\\\\])', maxLength: 1024 },
          },
          {
            name: 'cli_redirect',
            in: 'query',
            required: false,
            description:
              "`evident login --oidc` only (with cli_challenge and cli_state): the CLI's listener, http://127.0.0.1:<port>/… or http://[::1]:<port>/… (RFC 8252 §7.3). The callback then sends a one-time code there instead of starting a browser session.",
            schema: { type: 'string', maxLength: 256 },
          },
          {
            name: 'cli_challenge',
            in: 'query',
            required: false,
            description: 'BASE64URL(SHA-256(code_verifier)) (RFC 7636 S256), chosen by the CLI',
            schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
          },
          {
            name: 'cli_state',
            in: 'query',
            required: false,
            description: 'Echoed to the CLI listener with the code, so it takes only its own',
            schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,128}$' },
          },
        ],
        responses: {
          '302': { description: "To the provider's authorization endpoint" },
          ...errors(400, 404),
          ...tooMany,
          '503': {
            description: 'The provider could not be reached or described itself wrongly',
            content: json(ref('Error')),
          },
        },
      },
    },
    '/api/v1/auth/oidc/callback': {
      get: {
        summary: 'Where the provider returns the browser (audited session.sign_in)',
        description:
          'Single-use state; the code is exchanged with the PKCE verifier and the ID token checked (signature, issuer, audience, nonce, times). ' +
          'The identity (issuer, subject) must be linked to an enabled account: there are no just-in-time accounts. ' +
          'Failures: 400 bad_state, expired_flow, provider_error; 401 code_exchange_failed, wrong_audience, invalid_id_token, unknown_identity, disabled (the reason is in the self-audit event).',
        security: [],
        parameters: ['code', 'state', 'iss', 'error', 'error_description'].map((name) => ({
          name,
          in: 'query',
          required: false,
          schema: { type: 'string' },
        })),
        responses: {
          '302': {
            description:
              'Signed in: to the return path with the session cookie; or, for a CLI sign-in, to the CLI listener with ?code=&state= and no cookie',
            headers: setCookie,
          },
          ...errors(400, 401, 404),
          '503': {
            description: 'The provider could not be reached',
            content: json(ref('Error')),
          },
        },
      },
    },
    '/api/v1/auth/cli/token': {
      post: {
        summary:
          'Trade a CLI sign-in code for a 12-hour API token (evident login --oidc; audited token.create)',
        description:
          "The code from the redirect to the CLI listener is single-use and lives 60 seconds; it is burnt by the first try, right or wrong. code_verifier must hash (S256) to the cli_challenge the sign-in started with. The token carries the account's roles.",
        security: [],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            additionalProperties: false,
            required: ['code', 'code_verifier'],
            properties: {
              code: { type: 'string', maxLength: 256 },
              code_verifier: { type: 'string', pattern: '^[A-Za-z0-9._~-]{43,128}$' },
              label: { type: 'string', maxLength: 256, description: "The token's label" },
            },
          }),
        },
        responses: {
          '201': {
            description:
              'The token record plus `token` (the secret, only here) and `principal` {id, name, kind, roles}',
            content: json({ type: 'object' }),
          },
          ...errors(400, 401, 404),
          ...tooMany,
        },
      },
    },
  };
}

export function authSchemas(): Record<string, unknown> {
  return {
    SignedInPrincipal: {
      type: 'object',
      required: ['id', 'name', 'kind', 'roles'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        kind: { type: 'string', enum: ['person', 'service'] },
        roles: { type: 'array', items: ref('Grant') },
      },
    },
    Session: {
      type: 'object',
      required: ['id', 'method', 'created_at', 'last_seen_at', 'idle_expires_at', 'expires_at'],
      properties: {
        id: {
          type: 'string',
          description: 'SHA-256 of the cookie (hex); appears as actor.session in events',
        },
        method: { type: 'string', enum: ['password', 'oidc'] },
        created_at: { type: 'string', format: 'date-time' },
        last_seen_at: {
          type: 'string',
          format: 'date-time',
          description: 'Updated at most once a minute',
        },
        idle_expires_at: {
          type: 'string',
          format: 'date-time',
          description: 'Ends here unless used before',
        },
        expires_at: {
          type: 'string',
          format: 'date-time',
          description: 'Ends here at the latest (absolute timeout)',
        },
        ip: { type: ['string', 'null'] },
        user_agent: { type: ['string', 'null'] },
      },
    },
    SignedIn: {
      type: 'object',
      required: ['principal', 'csrf_token', 'expires_at', 'session'],
      properties: {
        principal: ref('SignedInPrincipal'),
        csrf_token: {
          type: 'string',
          description: 'Send as X-CSRF-Token with every cookie-authenticated write',
        },
        expires_at: {
          type: 'string',
          format: 'date-time',
          description: 'The absolute end of the session',
        },
        session: ref('Session'),
      },
    },
  };
}
