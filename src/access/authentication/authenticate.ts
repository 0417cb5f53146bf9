import { AppError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { Clock } from '../../util/clock.js';
import type { AccountDirectory, AccountRecord } from '../accounts/accounts.js';
import { type ApiTokens, isApiTokenFormat, tokenGrants } from '../credentials/api-tokens.js';
import { checkIngestKey, isIngestKeyFormat } from '../credentials/ingest-keys.js';
import { hashSecret, secretMatches } from '../credentials/secrets.js';
import type { AccountPrincipal, Principal } from '../principal.js';
import type { AdminToken } from './admin-token.js';
import { BOOTSTRAP_PRINCIPAL } from './bootstrap.js';
import { VerifiedKeys } from './verified-keys.js';

/** What authentication looks at in a request. */
export interface Credentials {
  authorization: string | undefined;
  /** The session cookie's value, if the request carries one. */
  session: string | undefined;
  /** The `X-CSRF-Token` header (double-submit check for cookie-authenticated writes). */
  csrfToken: string | undefined;
  method: string;
}

/** Sessions (sessions.ts) resolve a cookie value to the signed-in person, or nothing. */
export interface SessionResolver {
  resolve(cookieValue: string, nowMs: number): Promise<AccountPrincipal | undefined>;
}

export interface AuthenticatorDeps {
  store: Store;
  /** Undefined when the bootstrap token is turned off. */
  adminToken: AdminToken | undefined;
  accounts: AccountDirectory;
  tokens: ApiTokens;
  clock: Clock;
  sessions?: SessionResolver;
}

/** The 401 for a bootstrap-looking token when the server runs with `--no-bootstrap-token`. */
export const BOOTSTRAP_TOKEN_OFF =
  'this server has the bootstrap admin token turned off (--no-bootstrap-token): sign in as a person with `evident login --url <this server>`, or use an API token (evt_…)';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Resolves a request to a principal: `Authorization: Bearer` (an ingest key, an API token,
 * or the bootstrap token) first, else the session cookie. Every failure is the same 401,
 * so a caller learns nothing about which part of a credential was wrong.
 */
export class Authenticator {
  private readonly ingestKeys = new VerifiedKeys<Principal>();
  /** With the token's expiry: a remembered token must not outlive it (the clock is injected). */
  private readonly apiTokens = new VerifiedKeys<{ principal: Principal; expiresAtMs: number }>();

  constructor(private readonly deps: AuthenticatorDeps) {}

  async authenticate(c: Credentials): Promise<Principal> {
    if (c.authorization !== undefined) return this.bearer(c.authorization);
    if (c.session !== undefined && this.deps.sessions) {
      const principal = await this.deps.sessions.resolve(c.session, this.deps.clock.now());
      if (principal) {
        checkCsrf(principal, c);
        return principal;
      }
      throw new AppError('session_ended', 'the session has ended or expired; sign in again');
    }
    throw new AppError(
      'unauthenticated',
      'missing credentials; send `Authorization: Bearer <token>` or sign in',
    );
  }

  /** Forget cached verifications (after a revocation here, so it applies at once). */
  forgetCached(): void {
    this.ingestKeys.clear();
    this.apiTokens.clear();
  }

  private async bearer(header: string): Promise<Principal> {
    const token = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header)?.[1];
    if (token !== undefined) {
      const principal = await this.token(token);
      if (principal) return principal;
      if (
        this.deps.adminToken === undefined &&
        !isIngestKeyFormat(token) &&
        !isApiTokenFormat(token)
      ) {
        // Neither an ingest key nor an API token: most likely the bootstrap token of a server
        // that has turned it off. Saying so tells the person what to do instead.
        throw new AppError('bootstrap_token_off', BOOTSTRAP_TOKEN_OFF);
      }
    }
    throw new AppError('invalid_credentials', 'invalid, expired, revoked or malformed token');
  }

  private async token(token: string): Promise<Principal | undefined> {
    if (isIngestKeyFormat(token)) {
      const hit = this.ingestKeys.get(token);
      if (hit) return hit;
      const key = await checkIngestKey(this.deps.store, token);
      if (!key) return undefined;
      const principal: Principal = { kind: 'ingest', id: key.id, source: key.source };
      this.ingestKeys.set(token, principal);
      return principal;
    }
    if (isApiTokenFormat(token)) {
      const now = this.deps.clock.now();
      const hit = this.apiTokens.get(token);
      if (hit) return hit.expiresAtMs > now ? hit.principal : undefined;
      const record = await this.deps.tokens.check(token, now);
      if (!record) return undefined;
      const account = await this.deps.accounts.get(record.accountId);
      if (!account || account.disabled) return undefined;
      const principal = accountPrincipal(account, {
        grants: tokenGrants(account, record),
        credential: { method: 'token', tokenId: record.id },
      });
      this.apiTokens.set(token, { principal, expiresAtMs: record.expiresAtMs });
      return principal;
    }
    return this.deps.adminToken?.matches(token) ? BOOTSTRAP_PRINCIPAL : undefined;
  }
}

export function accountPrincipal(
  account: AccountRecord,
  use: Pick<AccountPrincipal, 'grants' | 'credential'>,
): AccountPrincipal {
  return { kind: account.kind, id: account.id, name: account.name, ...use };
}

/**
 * Cookie-authenticated writes must echo the session's CSRF token in `X-CSRF-Token`
 * (double submit; SameSite=Strict is the first line, this the second).
 */
function checkCsrf(principal: AccountPrincipal, c: Credentials): void {
  if (SAFE_METHODS.has(c.method) || principal.credential.method !== 'session') return;
  const expected = principal.credential.csrfToken;
  if (c.csrfToken === undefined || !secretMatches(c.csrfToken, hashSecret(expected))) {
    throw new AppError(
      'csrf_token_required',
      'cookie-authenticated writes need the X-CSRF-Token header from sign-in',
    );
  }
}
