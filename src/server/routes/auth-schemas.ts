import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../access/accounts/passwords.js';
import { ROLES } from '../../access/principal.js';
import {
  bool,
  errorResponses,
  handlerParsedBody,
  IGNORED_QUERY,
  type JsonSchema,
  jsonResponse,
  NO_QUERY,
  nullable,
  object,
  querystring,
  queryText,
  str,
  time,
} from '../http/schemas.js';
import { newToken } from './tokens-schemas.js';

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

const signedInPrincipal = object(
  {
    id: str('Principal id'),
    name: str('Sign-in name'),
    kind: { type: 'string', enum: ['person', 'service'] },
    roles: { type: 'array', items: grant },
  },
  ['id', 'name', 'kind', 'roles'],
);

const session = object(
  {
    id: str('SHA-256 of the cookie (hex); appears as actor.session in events'),
    method: { type: 'string', enum: ['password', 'oidc'] },
    created_at: time('Signed in'),
    last_seen_at: time('Updated at most once a minute'),
    idle_expires_at: time('Ends here unless used before'),
    expires_at: time('Ends here at the latest (absolute timeout)'),
    ip: nullable(str('Where the sign-in came from')),
    user_agent: nullable(str('The browser that signed in')),
  },
  [
    'id',
    'method',
    'created_at',
    'last_seen_at',
    'idle_expires_at',
    'expires_at',
    'ip',
    'user_agent',
  ],
);

const csrfToken = str('Send as X-CSRF-Token with every cookie-authenticated write');

const signedIn = object(
  {
    principal: signedInPrincipal,
    csrf_token: csrfToken,
    expires_at: time('The absolute end of the session'),
    session,
  },
  ['principal', 'csrf_token', 'expires_at', 'session'],
);

const password = { type: 'string', maxLength: MAX_PASSWORD_LENGTH };
const redirect = (description: string): JsonSchema => ({ description });

export const loginSchema = {
  summary: 'Sign in with name and password (audited session.sign_in)',
  description:
    'Starts a new session (a fresh id on every sign-in; any session cookie sent along is ended) and sets the session cookie (evident_session; HttpOnly, SameSite=Strict, Secure over TLS or with --cookie-secure). ' +
    'Every refusal is the same 401 whatever the reason; the self-audit event records the real one (unknown_account, bad_password, no_password, disabled, locked). ' +
    'Five failures within 15 minutes lock the account for 1 minute, doubling with each further failure up to 1 hour. 429 with Retry-After when an address fails too often.',
  querystring: IGNORED_QUERY,
  body: handlerParsedBody(
    object({ name: str('Sign-in name', { maxLength: 256 }), password }, ['name', 'password']),
  ),
  response: {
    200: jsonResponse('Signed in; the session cookie is set', signedIn),
    ...errorResponses(400, 401, 404, 429, 503),
  },
};

export const logoutSchema = {
  summary: 'Sign out: end this session and clear the cookie (audited session.sign_out)',
  description: 'With the session cookie and its X-CSRF-Token; a token is refused (400).',
  querystring: IGNORED_QUERY,
  response: {
    204: redirect('Signed out; the cookie is cleared'),
    ...errorResponses(400, 401, 403, 404, 503),
  },
};

export const sessionSchema = {
  summary: 'The current session, its person and its CSRF token',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'The session',
      object({ principal: signedInPrincipal, csrf_token: csrfToken, session }, [
        'principal',
        'csrf_token',
        'session',
      ]),
    ),
    ...errorResponses(400, 401, 403, 404),
  },
};

export const changePasswordSchema = {
  summary: "Change one's own password (audited principal.password_change)",
  description:
    'Needs the current password (wrong ones count towards the lock like sign-in failures). Ends every other session of the account.',
  querystring: IGNORED_QUERY,
  body: handlerParsedBody(
    object(
      {
        current_password: password,
        new_password: { ...password, minLength: MIN_PASSWORD_LENGTH },
      },
      ['current_password', 'new_password'],
    ),
  ),
  response: {
    200: jsonResponse(
      'Changed',
      object({ other_sessions_ended: { type: 'integer', minimum: 0 } }, ['other_sessions_ended']),
    ),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
};

export const methodsSchema = {
  summary: 'Which sign-in methods this server has set up (public; the sign-in page asks)',
  querystring: NO_QUERY,
  response: {
    200: jsonResponse(
      'The methods',
      object({ password: bool('Password sign-in'), oidc: bool('OpenID Connect sign-in') }, [
        'password',
        'oidc',
      ]),
    ),
    ...errorResponses(400),
  },
};

export interface OidcStartQuery {
  return_to?: string;
  cli_redirect?: string;
  cli_challenge?: string;
  cli_state?: string;
}

export const oidcStartSchema = {
  summary: 'Start an OpenID Connect sign-in: redirects to the provider',
  description:
    'Authorization code flow with PKCE (S256), state and nonce. The flow is stored for 10 minutes and bound to this browser by the evident_oidc cookie. 404 when OpenID Connect is not configured.',
  querystring: querystring({
    return_to: queryText('A path on this server to return to after sign-in (default /)', {
      maxLength: 1024,
    }),
    cli_redirect: queryText(
      "`evident login --oidc` only (with cli_challenge and cli_state): the CLI's listener, http://127.0.0.1:<port>/… or http://[::1]:<port>/… (RFC 8252 §7.3). The callback then sends a one-time code there instead of starting a browser session.",
    ),
    cli_challenge: queryText(
      'BASE64URL(SHA-256(code_verifier)) (RFC 7636 S256), chosen by the CLI',
      { maxLength: 64 },
    ),
    cli_state: queryText('Echoed to the CLI listener with the code, so it takes only its own', {
      maxLength: 128,
    }),
  }),
  response: {
    302: redirect("To the provider's authorization endpoint"),
    ...errorResponses(400, 404, 429, 503),
  },
};

export const oidcCallbackSchema = {
  summary: 'Where the provider returns the browser (audited session.sign_in)',
  description:
    'Takes the provider’s parameters (code, state, iss, error, error_description…). Single-use state; the code is exchanged with the PKCE verifier and the ID token checked (signature, issuer, audience, nonce, times). ' +
    'The identity (issuer, subject) must be linked to an enabled account: there are no just-in-time accounts. ' +
    'Failures: 400 bad_state, expired_flow, provider_error; 401 code_exchange_failed, wrong_audience, invalid_id_token, unknown_identity, disabled (the reason is in the self-audit event).',
  querystring: IGNORED_QUERY,
  response: {
    302: redirect(
      'Signed in: to the return path with the session cookie; or, for a CLI sign-in, to the CLI listener with ?code=&state= and no cookie',
    ),
    ...errorResponses(400, 401, 404, 503),
  },
};

export const cliTokenSchema = {
  summary:
    'Trade a CLI sign-in code for a 12-hour API token (evident login --oidc; audited token.create)',
  description:
    "The code from the redirect to the CLI listener is single-use and lives 60 seconds; it is burnt by the first try, right or wrong. code_verifier must hash (S256) to the cli_challenge the sign-in started with. The token carries the account's roles.",
  querystring: NO_QUERY,
  body: handlerParsedBody(
    object(
      {
        code: str('The one-time code', { maxLength: 256 }),
        code_verifier: str('The PKCE verifier', { pattern: '^[A-Za-z0-9._~-]{43,128}$' }),
        label: str("The token's label", { maxLength: 256 }),
      },
      ['code', 'code_verifier'],
    ),
  ),
  response: {
    201: jsonResponse(
      'The token (its secret only here) and who it acts as',
      newToken({ principal: signedInPrincipal }),
    ),
    ...errorResponses(400, 401, 403, 404, 429, 503),
  },
};
