import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type AccountRecord, NAME_PATTERN } from '../../access/accounts.js';
import { createOwnToken, parseTokenRequest } from '../../access/admin/account-tokens.js';
import { adminActor } from '../../access/admin/admin-context.js';
import { accountPrincipal } from '../../access/authentication/authenticate.js';
import { type SignInMethod, sessionIdOf } from '../../access/credentials/sessions.js';
import { checkPasswordPolicy, hashPassword, MAX_PASSWORD_LENGTH } from '../../access/passwords.js';
import type { AccountPrincipal } from '../../access/principal.js';
import { newSecret } from '../../access/secrets.js';
import { parseCliHandoff } from '../../access/sign-in/cli-handoff.js';
import { OIDC_FLOW_TTL_MS, type OidcFailure, type OidcSignIn } from '../../access/sign-in/oidc.js';
import {
  checkAccountPassword,
  checkPassword,
  normaliseSignInName,
  type PasswordFailure,
} from '../../access/sign-in/password-sign-in.js';
import type { SignIn } from '../../access/sign-in/sign-in.js';
import { NO_SIGN_INS } from '../../access/sign-in/sign-in-throttle.js';
import type { ErrorReason } from '../../error-reasons.js';
import { AppError } from '../../errors.js';
import type { AuditActor } from '../../log/self-audit.js';
import { SESSION_COOKIE, type ServerContext } from '../context.js';
import { jsonObjectBody, stringField } from '../json-body.js';
import { sessionJson, signedInPrincipalJson } from '../presenters/session.js';
import { tokenJson } from '../presenters/token.js';
import { QueryReader } from '../query.js';
import { adminContextOf } from './principals.js';

/** The API token `evident login --oidc` gets: as short-lived as a password login's. */
const CLI_TOKEN_HOURS = 12;

/** Binds an OpenID sign-in to the browser that started it (SameSite=Lax: it must come back
 * with the provider's cross-site redirect, which a Strict cookie would not). */
const FLOW_COOKIE = 'evident_oidc';
const FLOW_COOKIE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const FLOW_PURGE_INTERVAL_MS = 10 * 60_000;
const MAX_USER_AGENT = 512;

/** One answer for every refused password sign-in, whatever the real reason (the event has it). */
const SIGN_IN_FAILED =
  'sign-in failed: wrong name or password (after repeated failures an account is locked for a while)';

const OIDC_REASON: Record<OidcFailure, ErrorReason> = {
  bad_state: 'oidc_flow_invalid',
  expired_flow: 'oidc_flow_invalid',
  provider_error: 'oidc_provider_refused',
  code_exchange_failed: 'oidc_token_rejected',
  wrong_audience: 'oidc_token_rejected',
  invalid_id_token: 'oidc_token_rejected',
};

/**
 * Sign-in for people: password and OpenID Connect sign-in set an httpOnly,
 * SameSite=Strict session cookie; sign-out ends it. Every sign-in, failed or not, and every
 * sign-out is an event of source `evident` with the real reason of a failure.
 */
export function authRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const signIn = (): SignIn => {
    if (!ctx.signIn)
      throw new AppError('sign_in_disabled', 'sign-in is not enabled on this server');
    return ctx.signIn;
  };
  const oidc = (): OidcSignIn => {
    const o = signIn().oidc;
    if (!o) {
      throw new AppError(
        'sign_in_disabled',
        'OpenID Connect sign-in is not configured; start the server with --oidc-issuer, --oidc-client-id, --oidc-client-secret and --oidc-redirect-url',
      );
    }
    return o;
  };
  let nextFlowPurgeMs = 0;

  /** Replaces whatever session the browser had with a fresh one (session fixation). */
  const startSession = async (
    request: FastifyRequest,
    reply: FastifyReply,
    account: AccountRecord,
    method: SignInMethod,
    now: number,
  ) => {
    const s = signIn();
    const brought = request.cookies[SESSION_COOKIE];
    if (brought !== undefined) await s.sessions.revoke(sessionIdOf(brought));
    const started = await s.sessions.start(
      account,
      { method, ip: request.ip, userAgent: userAgent(request) },
      now,
    );
    const principal = accountPrincipal(account, {
      grants: account.grants,
      credential: { method: 'session', sessionId: started.id, csrfToken: started.csrfToken },
    });
    try {
      await ctx.audit.record({
        principal,
        ip: request.ip,
        action: 'session.sign_in',
        category: 'authentication',
        target: accountTarget(account),
        details: { method },
      });
    } catch (error) {
      // Fail closed: no session without its sign-in event in the log.
      await s.sessions.revoke(started.id);
      throw error;
    }
    reply.setCookie(SESSION_COOKIE, started.cookie, sessionCookie(request, s));
    return { principal, started };
  };

  app.post('/api/v1/auth/login', async (request, reply) => {
    const s = signIn();
    const body = jsonObjectBody(request.body, ['name', 'password']);
    const name = stringField(body, 'name', { max: 256 })!;
    const password = stringField(body, 'password', { max: MAX_PASSWORD_LENGTH })!;
    const now = ctx.clock.now();
    tryAttempt(s, request, reply, now);
    const check = await checkPassword(
      ctx.accounts,
      { name, password },
      now,
      s.lockPolicy,
      s.passwordParams,
    );
    if (!check.ok) {
      await recordPasswordFailure(ctx, request, 'session.sign_in', check.reason, check.account, {
        triedName: name,
      });
      throw new AppError('sign_in_failed', SIGN_IN_FAILED);
    }
    s.failures.refund(request.ip, now);
    const { principal, started } = await startSession(
      request,
      reply,
      check.account,
      'password',
      now,
    );
    const session = sessionJson(started.id, started.record, s.sessions.timeouts);
    return {
      principal: signedInPrincipalJson(principal),
      csrf_token: started.csrfToken,
      expires_at: session.expires_at,
      session,
    };
  });

  app.post('/api/v1/auth/logout', async (request, reply) => {
    const s = signIn();
    const { principal, sessionId } = await sessionPrincipal(ctx, request, 'sign-out');
    await s.sessions.revoke(sessionId);
    reply.clearCookie(SESSION_COOKIE, sessionCookie(request, s));
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'session.sign_out',
      category: 'authentication',
      target: { type: 'session', id: sessionId },
    });
    return reply.status(204).send();
  });

  app.get('/api/v1/auth/session', async (request) => {
    const s = signIn();
    new QueryReader(request.query, []);
    const { principal, sessionId, csrfToken } = await sessionPrincipal(
      ctx,
      request,
      'session info',
    );
    const record = await s.sessions.get(sessionId);
    if (!record) throw new AppError('session_ended', 'the session has ended; sign in again');
    return {
      principal: signedInPrincipalJson(principal),
      csrf_token: csrfToken,
      session: sessionJson(sessionId, record, s.sessions.timeouts),
    };
  });

  app.post('/api/v1/auth/password', async (request, reply) => {
    const s = signIn();
    const principal = await ctx.access(request, 'self');
    const body = jsonObjectBody(request.body, ['current_password', 'new_password']);
    const current = stringField(body, 'current_password', { max: MAX_PASSWORD_LENGTH })!;
    const next = checkPasswordPolicy(body.new_password, 'new_password');
    if (next === current) {
      throw new AppError('password_unchanged', '"new_password" must differ from the current one', {
        path: 'new_password',
      });
    }
    const account = principal.kind === 'ingest' ? undefined : await ctx.accounts.get(principal.id);
    if (!account || account.passwordHash === null) {
      throw new AppError(
        'password_not_set',
        'this principal has no password to change (an admin sets a first password)',
      );
    }
    const now = ctx.clock.now();
    tryAttempt(s, request, reply, now);
    const check = await checkAccountPassword(
      ctx.accounts,
      account,
      current,
      now,
      s.lockPolicy,
      s.passwordParams,
    );
    if (!check.ok) {
      await recordPasswordFailure(
        ctx,
        request,
        'principal.password_change',
        check.reason,
        account,
        {
          principal,
        },
      );
      throw new AppError(
        'wrong_password',
        'the current password is wrong, or the account is locked',
        {
          path: 'current_password',
        },
      );
    }
    s.failures.refund(request.ip, now);
    const passwordHash = await hashPassword(next, s.passwordParams);
    await ctx.accounts.update(
      account.id,
      (a) => ({ ...a, passwordHash, signIn: { ...NO_SIGN_INS, lastSuccessMs: now } }),
      now,
    );
    // Whoever knew the old password may hold a session: end every other one.
    const keep =
      principal.kind !== 'ingest' && principal.credential.method === 'session'
        ? principal.credential.sessionId
        : undefined;
    const ended = await s.sessions.revokeAccount(account.id, keep);
    await ctx.audit.record({
      principal,
      ip: request.ip,
      action: 'principal.password_change',
      category: 'iam',
      target: accountTarget(account),
      details: { other_sessions_ended: ended },
    });
    return { other_sessions_ended: ended };
  });

  // Public: the sign-in page offers only the methods this server has set up.
  app.get('/api/v1/auth/methods', async (request) => {
    new QueryReader(request.query, []);
    return { password: ctx.signIn !== undefined, oidc: ctx.signIn?.oidc !== undefined };
  });

  app.get('/api/v1/auth/oidc/start', async (request, reply) => {
    const s = signIn();
    const o = oidc();
    const q = new QueryReader(request.query, [
      'return_to',
      'cli_redirect',
      'cli_challenge',
      'cli_state',
    ]);
    const returnTo = returnPath(q);
    const cli = parseCliHandoff({
      redirect: q.string('cli_redirect', 256),
      challenge: q.string('cli_challenge', 64),
      state: q.string('cli_state', 128),
    });
    const now = ctx.clock.now();
    const wait = s.oidcStarts.take(request.ip, now);
    if (wait > 0) tooManyRequests(reply, wait);
    if (now >= nextFlowPurgeMs) {
      nextFlowPurgeMs = now + FLOW_PURGE_INTERVAL_MS;
      await o.purgeExpired(now);
      await s.cliHandoffs.purgeExpired(now);
    }
    const brought = request.cookies[FLOW_COOKIE];
    // One key per browser, kept while it lasts, so two tabs can each sign in.
    const browserKey =
      brought !== undefined && FLOW_COOKIE_PATTERN.test(brought) ? brought : newSecret();
    const url = await o.start({ returnTo, browserKey, ...(cli ? { cli } : {}) }, now);
    reply.setCookie(FLOW_COOKIE, browserKey, {
      ...sessionCookie(request, s),
      sameSite: 'lax',
      // The callback's folder as the browser sees it (a proxy may serve Evident under a prefix).
      path: new URL(o.settings.redirectUrl).pathname.replace(/\/callback$/, ''),
      maxAge: OIDC_FLOW_TTL_MS / 1000,
    });
    return reply.redirect(url.href, 302);
  });

  app.get('/api/v1/auth/oidc/callback', async (request, reply) => {
    const o = oidc();
    const now = ctx.clock.now();
    const query = new URLSearchParams(request.url.split('?')[1] ?? '');
    const result = await o.finish({ query, browserKey: request.cookies[FLOW_COOKIE] }, now);
    if (!result.ok) {
      await recordOidcFailure(ctx, request, result.reason, { kind: 'anonymous', id: 'unknown' });
      throw new AppError(OIDC_REASON[result.reason], result.message);
    }
    const identity = { issuer: result.issuer, subject: result.subject };
    const account = await ctx.accounts.findByOidc(result.issuer, result.subject);
    if (!account || account.disabled) {
      // Known to the provider but not (or no longer) here: no just-in-time accounts.
      await recordOidcFailure(
        ctx,
        request,
        account ? 'disabled' : 'unknown_identity',
        { kind: 'anonymous', id: account ? account.id : clipId(result.subject) },
        {
          issuer: result.issuer,
          subject: result.subject,
          ...(result.email !== undefined ? { email: result.email } : {}),
        },
        account,
      );
      throw new AppError(
        'no_linked_account',
        `no active Evident account is linked to this OpenID identity (issuer ${identity.issuer}, subject ${identity.subject}); ask an admin to link it`,
      );
    }
    const signedIn = await ctx.accounts.update(
      account.id,
      (a) => ({ ...a, signIn: { ...a.signIn, lastSuccessMs: now } }),
      now,
    );
    if (result.cli) {
      // `evident login --oidc`: no browser session; a one-time code for the CLI's listener.
      const handoff = await signIn().cliHandoffs.issue(signedIn.id, result.cli.challenge, now);
      await ctx.audit.record({
        principal: handoffPrincipal(signedIn, handoff.id),
        ip: request.ip,
        action: 'session.sign_in',
        category: 'authentication',
        target: accountTarget(signedIn),
        details: { method: 'oidc', client: 'cli' },
      });
      const back = new URL(result.cli.redirect);
      back.searchParams.set('code', handoff.code);
      back.searchParams.set('state', result.cli.state);
      return reply.redirect(back.href, 302);
    }
    await startSession(request, reply, signedIn, 'oidc', now);
    return reply.redirect(result.returnTo, 302);
  });

  /** The CLI's half of the hand-off: the code and the verifier behind its challenge. */
  app.post('/api/v1/auth/cli/token', async (request, reply) => {
    const s = signIn();
    new QueryReader(request.query, []);
    const body = jsonObjectBody(request.body, ['code', 'code_verifier', 'label']);
    const code = stringField(body, 'code', { max: 256 })!;
    const verifier = stringField(body, 'code_verifier', { max: 128 })!;
    const input = parseTokenRequest({
      ...(body.label !== undefined ? { label: body.label } : {}),
      expires_in_hours: CLI_TOKEN_HOURS,
    });
    const now = ctx.clock.now();
    tryAttempt(s, request, reply, now);
    const redeemed = await s.cliHandoffs.redeem(code, verifier, now);
    const account = await ctx.accounts.get(redeemed.accountId);
    if (!account || account.disabled) {
      throw new AppError('account_inactive', 'the account is no longer active');
    }
    s.failures.refund(request.ip, now);
    const principal = handoffPrincipal(account, redeemed.id);
    const created = await createOwnToken(
      adminContextOf(ctx),
      adminActor(principal, request.ip),
      input,
    );
    return reply.status(201).send({
      ...tokenJson(created.record, now),
      token: created.token,
      principal: signedInPrincipalJson(principal),
    });
  });
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

/** Charges the caller's address for an attempt, or answers 429 with Retry-After. */
function tryAttempt(s: SignIn, request: FastifyRequest, reply: FastifyReply, nowMs: number): void {
  const wait = s.failures.take(request.ip, nowMs);
  if (wait > 0) tooManyRequests(reply, wait);
}

function tooManyRequests(reply: FastifyReply, waitMs: number): never {
  const seconds = Math.ceil(waitMs / 1000);
  void reply.header('retry-after', String(seconds));
  throw new AppError(
    'sign_in_throttled',
    `too many sign-in attempts from this address; try again in ${seconds} s`,
  );
}

async function recordPasswordFailure(
  ctx: ServerContext,
  request: FastifyRequest,
  action: string,
  reason: PasswordFailure,
  account: AccountRecord | undefined,
  who: { triedName?: string; principal?: AuditActor },
): Promise<void> {
  const tried = who.triedName === undefined ? undefined : triedName(who.triedName);
  // The account's id when the name exists (so failures and a later success line up per
  // actor), else the name tried. Anonymous either way: the caller proved nothing yet.
  const actor: AuditActor = who.principal ?? {
    kind: 'anonymous',
    id: account?.id ?? tried ?? 'unknown',
  };
  await ctx.audit.record({
    principal: actor,
    ip: request.ip,
    action,
    outcome: 'failure',
    reason,
    category: 'authentication',
    target: account
      ? accountTarget(account)
      : { type: 'account', id: 'unknown', ...(tried !== undefined ? { name: tried } : {}) },
    details: {
      method: 'password',
      ...(reason === 'locked' && account?.signIn.lockedUntilMs
        ? { locked_until: new Date(account.signIn.lockedUntilMs).toISOString() }
        : {}),
    },
  });
}

async function recordOidcFailure(
  ctx: ServerContext,
  request: FastifyRequest,
  reason: OidcFailure | 'unknown_identity' | 'disabled',
  actor: AuditActor,
  identity: Record<string, string> = {},
  account?: AccountRecord,
): Promise<void> {
  await ctx.audit.record({
    principal: actor,
    ip: request.ip,
    action: 'session.sign_in',
    outcome: 'failure',
    reason,
    category: 'authentication',
    ...(account ? { target: accountTarget(account) } : {}),
    details: { method: 'oidc', ...identity },
  });
}

/** The person of a CLI hand-off, named in its events by the hand-off's id. */
function handoffPrincipal(account: AccountRecord, handoffId: string): AccountPrincipal {
  return accountPrincipal(account, {
    grants: account.grants,
    credential: { method: 'session', sessionId: `cli-${handoffId}`, csrfToken: '' },
  });
}

function accountTarget(account: AccountRecord) {
  return { type: 'account', id: account.id, name: account.name };
}

/**
 * The name tried, for the event: only when it is a possible account name (so a password
 * typed into the name field by mistake is not written to the log whole).
 */
function triedName(name: string): string {
  const n = normaliseSignInName(name);
  return NAME_PATTERN.test(n) ? n : '(malformed name)';
}

function clipId(text: string): string {
  return text.slice(0, 200);
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
function returnPath(q: QueryReader): string {
  const path = q.string('return_to', 1024) ?? '/';
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
