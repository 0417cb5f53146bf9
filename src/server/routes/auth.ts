import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_PASSWORD_LENGTH } from '../../access/accounts/passwords.js';
import { parseTokenRequest } from '../../access/admin/account-tokens.js';
import { newSecret } from '../../access/credentials/secrets.js';
import type { AccountPrincipal } from '../../access/principal.js';
import { parseCliHandoff } from '../../access/sign-in/cli-handoff.js';
import { OIDC_FLOW_TTL_MS } from '../../access/sign-in/oidc.js';
import type { SignIn } from '../../access/sign-in/sign-in.js';
import type { Client } from '../../access/sign-in/sign-in-service.js';
import { AppError } from '../../errors.js';
import { SESSION_COOKIE, type ServerContext } from '../context.js';
import { jsonObjectBody, stringField } from '../http/json-body.js';
import { sessionJson, signedInPrincipalJson } from '../presenters/session.js';
import { tokenJson } from '../presenters/token.js';
import {
  changePasswordSchema,
  cliTokenSchema,
  loginSchema,
  logoutSchema,
  methodsSchema,
  type OidcStartQuery,
  oidcCallbackSchema,
  oidcStartSchema,
  sessionSchema,
} from './auth-schemas.js';

/** Binds an OpenID sign-in to the browser that started it (SameSite=Lax: it must come back
 * with the provider's cross-site redirect, which a Strict cookie would not). */
const FLOW_COOKIE = 'evident_oidc';
const FLOW_COOKIE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const MAX_USER_AGENT = 512;

/**
 * Sign-in for people (access/sign-in/sign-in-service.ts does the work): password and OpenID
 * Connect sign-in set an httpOnly, SameSite=Strict session cookie; sign-out ends it. This
 * file reads requests, sets cookies and redirects.
 */
export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const service = ctx.signInService;

  app.post(
    '/api/v1/auth/login',
    { config: { access: 'public' }, schema: loginSchema },
    async (request, reply) => {
      const s = service.enabled();
      const body = jsonObjectBody(request.body, ['name', 'password']);
      const name = stringField(body, 'name', { max: 256 })!;
      const password = stringField(body, 'password', { max: MAX_PASSWORD_LENGTH })!;
      const now = ctx.clock.now();
      const { principal, started } = await service.passwordSignIn(
        { name, password },
        client(s, request, reply, now),
        now,
      );
      reply.setCookie(SESSION_COOKIE, started.cookie, sessionCookie(request, s));
      const session = sessionJson(started.id, started.record, s.sessions.timeouts);
      return {
        principal: signedInPrincipalJson(principal),
        csrf_token: started.csrfToken,
        expires_at: session.expires_at,
        session,
      };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { access: 'self' }, schema: logoutSchema },
    async (request, reply) => {
      const s = service.enabled();
      const { principal, sessionId } = await sessionPrincipal(ctx, request, 'sign-out');
      await service.signOut(principal, sessionId, client(s, request, reply, ctx.clock.now()));
      reply.clearCookie(SESSION_COOKIE, sessionCookie(request, s));
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/session',
    { config: { access: 'self' }, schema: sessionSchema },
    async (request) => {
      const s = service.enabled();
      const { principal, sessionId, csrfToken } = await sessionPrincipal(
        ctx,
        request,
        'session info',
      );
      const record = await service.session(sessionId);
      return {
        principal: signedInPrincipalJson(principal),
        csrf_token: csrfToken,
        session: sessionJson(sessionId, record, s.sessions.timeouts),
      };
    },
  );

  app.post(
    '/api/v1/auth/password',
    { config: { access: 'self' }, schema: changePasswordSchema },
    async (request, reply) => {
      const s = service.enabled();
      const principal = await ctx.access(request, 'self');
      const body = jsonObjectBody(request.body, ['current_password', 'new_password']);
      const current = stringField(body, 'current_password', { max: MAX_PASSWORD_LENGTH })!;
      if (principal.kind === 'ingest') {
        // authorize() refuses ingest keys `self`; this narrows the type for the service.
        throw new AppError('ingest_key_append_only', 'an ingest key can only append events');
      }
      const changed = await service.changePassword(
        principal,
        { current, next: body.new_password },
        client(s, request, reply, ctx.clock.now()),
      );
      return { other_sessions_ended: changed.otherSessionsEnded };
    },
  );

  // Public: the sign-in page offers only the methods this server has set up.
  app.get(
    '/api/v1/auth/methods',
    { config: { access: 'public' }, schema: methodsSchema },
    async () => {
      return service.methods();
    },
  );

  app.get<{ Querystring: OidcStartQuery }>(
    '/api/v1/auth/oidc/start',
    { config: { access: 'public' }, schema: oidcStartSchema },
    async (request, reply) => {
      const s = service.enabled();
      const o = service.oidc();
      const query = request.query;
      const returnTo = returnPath(query.return_to);
      const cli = parseCliHandoff({
        redirect: query.cli_redirect,
        challenge: query.cli_challenge,
        state: query.cli_state,
      });
      const now = ctx.clock.now();
      const wait = s.oidcStarts.take(request.ip, now);
      if (wait > 0) tooManyRequests(reply, wait);
      const brought = request.cookies[FLOW_COOKIE];
      // One key per browser, kept while it lasts, so two tabs can each sign in.
      const browserKey =
        brought !== undefined && FLOW_COOKIE_PATTERN.test(brought) ? brought : newSecret();
      const url = await service.oidcStart({ returnTo, browserKey, cli }, now);
      reply.setCookie(FLOW_COOKIE, browserKey, {
        ...sessionCookie(request, s),
        sameSite: 'lax',
        // The callback's folder as the browser sees it (a proxy may serve Evident under a prefix).
        path: new URL(o.settings.redirectUrl).pathname.replace(/\/callback$/, ''),
        maxAge: OIDC_FLOW_TTL_MS / 1000,
      });
      return reply.redirect(url.href, 302);
    },
  );

  app.get(
    '/api/v1/auth/oidc/callback',
    { config: { access: 'public' }, schema: oidcCallbackSchema },
    async (request, reply) => {
      service.oidc();
      const now = ctx.clock.now();
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const done = await service.oidcCallback(
        { query, browserKey: request.cookies[FLOW_COOKIE] },
        client(ctx.signIn, request, reply, now),
        now,
      );
      if (done.kind === 'cli') return reply.redirect(done.redirect.href, 302);
      reply.setCookie(
        SESSION_COOKIE,
        done.started.cookie,
        sessionCookie(request, service.enabled()),
      );
      return reply.redirect(done.returnTo, 302);
    },
  );

  /** The CLI's half of the hand-off: the code and the verifier behind its challenge. */
  app.post(
    '/api/v1/auth/cli/token',
    { config: { access: 'public' }, schema: cliTokenSchema },
    async (request, reply) => {
      const s = service.enabled();
      const body = jsonObjectBody(request.body, ['code', 'code_verifier', 'label']);
      const code = stringField(body, 'code', { max: 256 })!;
      const verifier = stringField(body, 'code_verifier', { max: 128 })!;
      const { label } = parseTokenRequest(body.label !== undefined ? { label: body.label } : {});
      const now = ctx.clock.now();
      const { created, principal } = await service.cliToken(
        { code, verifier, label },
        client(s, request, reply, now),
      );
      return reply.status(201).send({
        ...tokenJson(created.record, now),
        token: created.token,
        principal: signedInPrincipalJson(principal),
      });
    },
  );
}

/** The request as the sign-in service sees it; `charge` answers 429 with Retry-After. */
function client(
  s: SignIn | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
  nowMs: number,
): Client {
  return {
    ip: request.ip,
    userAgent: userAgent(request),
    brought: request.cookies[SESSION_COOKIE],
    charge: () => {
      const wait = s?.failures.take(request.ip, nowMs) ?? 0;
      if (wait > 0) tooManyRequests(reply, wait);
    },
  };
}

/** httpOnly, SameSite=Strict, whole site; Secure over TLS or when configured (proxy in front). */
function sessionCookie(request: FastifyRequest, s: SignIn) {
  return {
    httpOnly: true,
    sameSite: 'strict' as 'strict' | 'lax',
    path: '/',
    secure: s.cookieSecure || request.protocol === 'https',
  };
}

/** The session behind a cookie-authenticated request; 400 when a token was used instead. */
async function sessionPrincipal(ctx: ServerContext, request: FastifyRequest, what: string) {
  const principal = await ctx.access(request, 'self');
  if (principal.kind === 'ingest' || principal.credential.method !== 'session') {
    throw new AppError(
      'session_required',
      `${what} is about a sign-in session, and this request carries a token, not the session cookie`,
    );
  }
  const { sessionId, csrfToken } = principal.credential;
  return { principal: principal as AccountPrincipal, sessionId, csrfToken };
}

function tooManyRequests(reply: FastifyReply, waitMs: number): never {
  const seconds = Math.ceil(waitMs / 1000);
  void reply.header('retry-after', String(seconds));
  throw new AppError(
    'sign_in_throttled',
    `too many sign-in attempts from this address; try again in ${seconds} s`,
  );
}

function userAgent(request: FastifyRequest): string | null {
  const ua = request.headers['user-agent'];
  if (typeof ua !== 'string' || ua === '') return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  const printable = ua.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return printable.slice(0, MAX_USER_AGENT);
}

/**
 * Where to go after an OpenID sign-in: a path on this server only (no open redirect, OWASP
 * Unvalidated Redirects): starts with one '/', no backslash, no scheme, no host.
 */
function returnPath(asked: string | undefined): string {
  const path = asked ?? '/';
  const resolved = new URL(path, 'http://evident.invalid');
  if (
    !/^\/(?![/\\])/.test(path) ||
    path.includes('\\') ||
    resolved.origin !== 'http://evident.invalid'
  ) {
    throw new AppError(
      'invalid_field',
      '"return_to" must be a path on this server starting with a single "/" (e.g. /dashboard)',
      { path: 'return_to' },
    );
  }
  return path;
}
