import type { ErrorReason } from '../../error-reasons.js';
import { AppError } from '../../errors.js';
import type { AuditActor, SelfAudit, SelfAuditEvent } from '../../log/self-audit.js';
import type { Clock } from '../../util/clock.js';
import { type AccountDirectory, type AccountRecord, NAME_PATTERN } from '../accounts/accounts.js';
import { checkPasswordPolicy, hashPassword } from '../accounts/passwords.js';
import { accountPrincipal } from '../authentication/authenticate.js';
import type { CreatedToken } from '../credentials/api-tokens.js';
import { type SignInMethod, type StartedSession, sessionIdOf } from '../credentials/sessions.js';
import type { AccountPrincipal } from '../principal.js';
import type { CliHandoffRequest } from './cli-handoff.js';
import type { OidcFailure, OidcSignIn } from './oidc.js';
import {
  checkAccountPassword,
  checkPassword,
  normaliseSignInName,
  type PasswordFailure,
} from './password-sign-in.js';
import type { SignIn } from './sign-in.js';
import { NO_SIGN_INS } from './sign-in-throttle.js';

/** Where a request comes from, as sign-in events and sessions record it. */
export interface Client {
  ip: string;
  userAgent: string | null;
  /** The session cookie the browser brought, if any: replaced by the new one (fixation). */
  brought?: string | undefined;
  /**
   * Charges the caller's address for one password or code attempt, or throws 429 (the HTTP
   * layer adds Retry-After). Called just before the secret is judged, after the input checks.
   */
  charge(): void;
}

export interface SignedIn {
  principal: AccountPrincipal;
  started: StartedSession;
}

/** After an OpenID callback: a browser session, or a one-time code for the CLI's listener. */
export type OidcSignedIn =
  | ({ kind: 'session'; returnTo: string } & SignedIn)
  | { kind: 'cli'; redirect: URL };

export interface SignInServiceDeps {
  signIn: SignIn | undefined;
  accounts: AccountDirectory;
  audit: Pick<SelfAudit, 'record' | 'recordWithin'>;
  clock: Clock;
  /** Makes the caller's own API token and records it (admin/account-tokens.ts). */
  createOwnToken: (
    principal: AccountPrincipal,
    ip: string,
    request: { label: string | null; ttlMs: number },
  ) => Promise<CreatedToken>;
}

/** One answer for every refused password sign-in, whatever the real reason (the event has it). */
const SIGN_IN_FAILED =
  'sign-in failed: wrong name or password (after repeated failures an account is locked for a while)';

/** The API token `evident login --oidc` gets: as short-lived as a password login's. */
const CLI_TOKEN_TTL_MS = 12 * 3_600_000;

/**
 * Sign-in for people (routes/auth.ts is its HTTP face): password and OpenID Connect sign-in
 * start a session, sign-out ends it, a password change ends the others, and `evident login
 * --oidc` trades a one-time code for a token. Every sign-in, failed or not, and every
 * sign-out is an event of source `evident` with the real reason of a failure; a session
 * and its sign-in event (or its end and the sign-out event) commit together.
 */
export class SignInService {
  constructor(private readonly deps: SignInServiceDeps) {}

  /** The sign-in setup, or 404 `sign_in_disabled` on a server without it. */
  enabled(): SignIn {
    if (!this.deps.signIn) {
      throw new AppError('sign_in_disabled', 'sign-in is not enabled on this server');
    }
    return this.deps.signIn;
  }

  oidc(): OidcSignIn {
    const o = this.enabled().oidc;
    if (!o) {
      throw new AppError(
        'sign_in_disabled',
        'OpenID Connect sign-in is not configured; start the server with --oidc-issuer, --oidc-client-id, --oidc-client-secret and --oidc-redirect-url',
      );
    }
    return o;
  }

  /** What the sign-in page may offer. */
  methods(): { password: boolean; oidc: boolean } {
    return { password: this.deps.signIn !== undefined, oidc: this.deps.signIn?.oidc !== undefined };
  }

  async passwordSignIn(
    input: { name: string; password: string },
    client: Client,
    nowMs: number,
  ): Promise<SignedIn> {
    const s = this.enabled();
    client.charge();
    const check = await checkPassword(
      this.deps.accounts,
      input,
      nowMs,
      s.lockPolicy,
      s.passwordParams,
    );
    if (!check.ok) {
      await this.recordPasswordFailure(client, 'session.sign_in', check.reason, check.account, {
        triedName: input.name,
      });
      throw new AppError('sign_in_failed', SIGN_IN_FAILED);
    }
    s.failures.refund(client.ip, nowMs);
    return this.startSession(check.account, 'password', client, nowMs);
  }

  /** Ends the caller's session; the sign-out event commits with the end. */
  async signOut(principal: AccountPrincipal, sessionId: string, client: Client): Promise<void> {
    const s = this.enabled();
    await this.deps.audit.recordWithin(async (tx) => {
      await s.sessions.revoke(sessionId, tx);
      const event: SelfAuditEvent = {
        principal,
        ip: client.ip,
        action: 'session.sign_out',
        category: 'authentication',
        target: { type: 'session', id: sessionId },
      };
      return { events: [event], result: undefined };
    });
  }

  /** The caller's session as stored; 401 `session_ended` when it is gone. */
  async session(sessionId: string) {
    const record = await this.enabled().sessions.get(sessionId);
    if (!record) throw new AppError('session_ended', 'the session has ended; sign in again');
    return record;
  }

  /**
   * Changes the caller's own password after checking the current one, and ends every other
   * session of the account (whoever knew the old password may hold one).
   */
  async changePassword(
    principal: AccountPrincipal,
    input: { current: string; next: unknown },
    client: Client,
  ): Promise<{ otherSessionsEnded: number }> {
    const s = this.enabled();
    const next = checkPasswordPolicy(input.next, 'new_password');
    if (next === input.current) {
      throw new AppError('password_unchanged', '"new_password" must differ from the current one', {
        path: 'new_password',
      });
    }
    const account = await this.deps.accounts.get(principal.id);
    if (!account || account.passwordHash === null) {
      throw new AppError(
        'password_not_set',
        'this principal has no password to change (an admin sets a first password)',
      );
    }
    const now = this.deps.clock.now();
    client.charge();
    const check = await checkAccountPassword(
      this.deps.accounts,
      account,
      input.current,
      now,
      s.lockPolicy,
      s.passwordParams,
    );
    if (!check.ok) {
      await this.recordPasswordFailure(client, 'principal.password_change', check.reason, account, {
        principal,
      });
      throw new AppError(
        'wrong_password',
        'the current password is wrong, or the account is locked',
        { path: 'current_password' },
      );
    }
    s.failures.refund(client.ip, now);
    const passwordHash = await hashPassword(next, s.passwordParams);
    await this.deps.accounts.update(
      account.id,
      (a) => ({ ...a, passwordHash, signIn: { ...NO_SIGN_INS, lastSuccessMs: now } }),
      now,
    );
    const keep =
      principal.credential.method === 'session' ? principal.credential.sessionId : undefined;
    // The other sessions end with the event that says so.
    const { result: ended } = await this.deps.audit.recordWithin(async (tx) => {
      const ended = await s.sessions.revokeAccount(account.id, keep, tx);
      const event: SelfAuditEvent = {
        principal,
        ip: client.ip,
        action: 'principal.password_change',
        category: 'iam',
        target: accountTarget(account),
        details: { other_sessions_ended: ended },
      };
      return { events: [event], result: ended };
    });
    return { otherSessionsEnded: ended };
  }

  /**
   * Starts an OpenID sign-in: stores the flow and returns the provider's URL. `browserKey`
   * binds it to the browser (its flow cookie).
   */
  async oidcStart(
    input: { returnTo: string; browserKey: string; cli: CliHandoffRequest | undefined },
    nowMs: number,
  ): Promise<URL> {
    const s = this.enabled();
    const o = this.oidc();
    if (nowMs >= this.nextFlowPurgeMs) {
      this.nextFlowPurgeMs = nowMs + FLOW_PURGE_INTERVAL_MS;
      await o.purgeExpired(nowMs);
      await s.cliHandoffs.purgeExpired(nowMs);
    }
    const { cli, ...rest } = input;
    return o.start({ ...rest, ...(cli ? { cli } : {}) }, nowMs);
  }

  /** Finishes an OpenID sign-in from the provider's callback. */
  async oidcCallback(
    input: { query: URLSearchParams; browserKey: string | undefined },
    client: Client,
    nowMs: number,
  ): Promise<OidcSignedIn> {
    const o = this.oidc();
    const result = await o.finish(input, nowMs);
    if (!result.ok) {
      await this.recordOidcFailure(client, result.reason, { kind: 'anonymous', id: 'unknown' });
      throw new AppError(OIDC_REASON[result.reason], result.message);
    }
    const account = await this.deps.accounts.findByOidc(result.issuer, result.subject);
    if (!account || account.disabled) {
      // Known to the provider but not (or no longer) here: no just-in-time accounts.
      await this.recordOidcFailure(
        client,
        account ? 'disabled' : 'unknown_identity',
        { kind: 'anonymous', id: account ? account.id : result.subject.slice(0, 200) },
        {
          issuer: result.issuer,
          subject: result.subject,
          ...(result.email !== undefined ? { email: result.email } : {}),
        },
        account,
      );
      throw new AppError(
        'no_linked_account',
        `no active Evident account is linked to this OpenID identity (issuer ${result.issuer}, subject ${result.subject}); ask an admin to link it`,
      );
    }
    const signedIn = await this.deps.accounts.update(
      account.id,
      (a) => ({ ...a, signIn: { ...a.signIn, lastSuccessMs: nowMs } }),
      nowMs,
    );
    if (result.cli) {
      return { kind: 'cli', redirect: await this.handOff(signedIn, result.cli, client, nowMs) };
    }
    const started = await this.startSession(signedIn, 'oidc', client, nowMs);
    return { kind: 'session', returnTo: result.returnTo, ...started };
  }

  /** The CLI's half of the hand-off: the code and the verifier behind its challenge. */
  async cliToken(
    input: { code: string; verifier: string; label: string | null },
    client: Client,
  ): Promise<{ created: CreatedToken; principal: AccountPrincipal }> {
    const s = this.enabled();
    const now = this.deps.clock.now();
    client.charge();
    const redeemed = await s.cliHandoffs.redeem(input.code, input.verifier, now);
    const account = await this.deps.accounts.get(redeemed.accountId);
    if (!account || account.disabled) {
      throw new AppError('account_inactive', 'the account is no longer active');
    }
    s.failures.refund(client.ip, now);
    const principal = handoffPrincipal(account, redeemed.id);
    const created = await this.deps.createOwnToken(principal, client.ip, {
      label: input.label,
      ttlMs: CLI_TOKEN_TTL_MS,
    });
    return { created, principal };
  }

  /**
   * Replaces whatever session the browser had with a fresh one (session fixation); the new
   * session, the old one's end and the sign-in event commit together (fail closed: no
   * session without its sign-in event in the log).
   */
  private async startSession(
    account: AccountRecord,
    method: SignInMethod,
    client: Client,
    nowMs: number,
  ): Promise<SignedIn> {
    const s = this.enabled();
    await s.sessions.purgeNowAndThen(nowMs);
    const { result } = await this.deps.audit.recordWithin(async (tx) => {
      if (client.brought !== undefined) await s.sessions.revoke(sessionIdOf(client.brought), tx);
      const started = await s.sessions.startWithin(
        tx,
        account,
        { method, ip: client.ip, userAgent: client.userAgent },
        nowMs,
      );
      const principal = accountPrincipal(account, {
        grants: account.grants,
        credential: { method: 'session', sessionId: started.id, csrfToken: started.csrfToken },
      });
      const event: SelfAuditEvent = {
        principal,
        ip: client.ip,
        action: 'session.sign_in',
        category: 'authentication',
        target: accountTarget(account),
        details: { method },
      };
      return { events: [event], result: { principal, started } };
    });
    return result;
  }

  /** `evident login --oidc`: no browser session; a one-time code for the CLI's listener. */
  private async handOff(
    account: AccountRecord,
    cli: CliHandoffRequest,
    client: Client,
    nowMs: number,
  ): Promise<URL> {
    const s = this.enabled();
    const { result: handoff } = await this.deps.audit.recordWithin(async (tx) => {
      const handoff = await s.cliHandoffs.issueWithin(tx, account.id, cli.challenge, nowMs);
      const event: SelfAuditEvent = {
        principal: handoffPrincipal(account, handoff.id),
        ip: client.ip,
        action: 'session.sign_in',
        category: 'authentication',
        target: accountTarget(account),
        details: { method: 'oidc', client: 'cli' },
      };
      return { events: [event], result: handoff };
    });
    const back = new URL(cli.redirect);
    back.searchParams.set('code', handoff.code);
    back.searchParams.set('state', cli.state);
    return back;
  }

  private async recordPasswordFailure(
    client: Client,
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
    await this.deps.audit.record({
      principal: actor,
      ip: client.ip,
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

  private async recordOidcFailure(
    client: Client,
    reason: OidcFailure | 'unknown_identity' | 'disabled',
    actor: AuditActor,
    identity: Record<string, string> = {},
    account?: AccountRecord,
  ): Promise<void> {
    await this.deps.audit.record({
      principal: actor,
      ip: client.ip,
      action: 'session.sign_in',
      outcome: 'failure',
      reason,
      category: 'authentication',
      ...(account ? { target: accountTarget(account) } : {}),
      details: { method: 'oidc', ...identity },
    });
  }

  private nextFlowPurgeMs = 0;
}

const FLOW_PURGE_INTERVAL_MS = 10 * 60_000;

const OIDC_REASON: Record<OidcFailure, ErrorReason> = {
  bad_state: 'oidc_flow_invalid',
  expired_flow: 'oidc_flow_invalid',
  provider_error: 'oidc_provider_refused',
  code_exchange_failed: 'oidc_token_rejected',
  wrong_audience: 'oidc_token_rejected',
  invalid_id_token: 'oidc_token_rejected',
};

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
