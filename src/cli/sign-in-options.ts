import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_SESSION_TIMEOUTS } from '../access/credentials/session-timeouts.js';
import { parseOidcSettings } from '../access/sign-in/oidc-settings.js';
import type { SignInOptions } from '../access/sign-in/sign-in.js';
import { AppError } from '../errors.js';
import { formatDuration, parseDuration } from '../monitor/sources/duration.js';

export interface SignInFlags {
  sessionIdleTimeout?: number;
  sessionAbsoluteTimeout?: number;
  cookieSecure?: boolean;
  oidcIssuer?: string;
  oidcClientId?: string;
  oidcClientSecret?: string;
  oidcRedirectUrl?: string;
}

const MAX_SESSION_MS = 30 * 86_400_000;

function sessionDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms < 60_000 || ms > MAX_SESSION_MS) {
    throw new InvalidArgumentError('must be a duration from 1m to 30d, e.g. 30m, 8h, 1h30m');
  }
  return ms;
}

function envDuration(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  try {
    return sessionDuration(text);
  } catch (error) {
    throw new Error(`${name}: ${(error as Error).message}`);
  }
}

/** The sign-in flags of `evident serve` (docs/security.md, "Sessions and sign-in"). */
export function addSignInOptions(command: Command): Command {
  return command
    .option(
      '--session-idle-timeout <duration>',
      'end a session unused this long; default 30m (env EVIDENT_SESSION_IDLE_TIMEOUT)',
      sessionDuration,
    )
    .option(
      '--session-absolute-timeout <duration>',
      'end a session this long after sign-in, however busy; default 12h (env EVIDENT_SESSION_ABSOLUTE_TIMEOUT)',
      sessionDuration,
    )
    .option(
      '--cookie-secure',
      'mark the session cookie Secure even on plain http: TLS ends at a proxy in front (env EVIDENT_COOKIE_SECURE=true)',
    )
    .option(
      '--oidc-issuer <url>',
      'OpenID Connect provider (issuer URL) for sign-in (env EVIDENT_OIDC_ISSUER)',
    )
    .option(
      '--oidc-client-id <id>',
      'client id registered at the provider (env EVIDENT_OIDC_CLIENT_ID)',
    )
    .option(
      '--oidc-client-secret <secret>',
      'client secret; prefer the env EVIDENT_OIDC_CLIENT_SECRET (arguments show in ps)',
    )
    .option(
      '--oidc-redirect-url <url>',
      'this server as the provider reaches it back: https://HOST/api/v1/auth/oidc/callback (env EVIDENT_OIDC_REDIRECT_URL)',
    );
}

/** Flags over env over defaults; throws a message naming the setting when one is wrong. */
export function signInOptions(flags: SignInFlags): SignInOptions {
  const idleMs =
    flags.sessionIdleTimeout ??
    envDuration('EVIDENT_SESSION_IDLE_TIMEOUT', DEFAULT_SESSION_TIMEOUTS.idleMs);
  const absoluteMs =
    flags.sessionAbsoluteTimeout ??
    envDuration('EVIDENT_SESSION_ABSOLUTE_TIMEOUT', DEFAULT_SESSION_TIMEOUTS.absoluteMs);
  if (absoluteMs < idleMs) {
    throw new Error(
      `the absolute session timeout (${formatDuration(absoluteMs)}) must not be shorter than the idle timeout (${formatDuration(idleMs)})`,
    );
  }
  let oidc: SignInOptions['oidc'];
  try {
    // Environment values are read here, not as commander defaults: help would print them.
    const env = process.env;
    oidc = parseOidcSettings({
      issuer: flags.oidcIssuer ?? env.EVIDENT_OIDC_ISSUER,
      clientId: flags.oidcClientId ?? env.EVIDENT_OIDC_CLIENT_ID,
      clientSecret: flags.oidcClientSecret ?? env.EVIDENT_OIDC_CLIENT_SECRET,
      redirectUrl: flags.oidcRedirectUrl ?? env.EVIDENT_OIDC_REDIRECT_URL,
    });
  } catch (error) {
    throw error instanceof AppError ? new Error(error.message) : error;
  }
  return {
    timeouts: { idleMs, absoluteMs },
    cookieSecure: flags.cookieSecure === true || process.env.EVIDENT_COOKIE_SECURE === 'true',
    ...(oidc ? { oidc } : {}),
  };
}
