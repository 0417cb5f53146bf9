import type { Store } from '../../store/store.js';
import { AccountDirectory } from '../accounts/accounts.js';
import { DEFAULT_SCRYPT, type ScryptParams } from '../accounts/passwords.js';
import {
  DEFAULT_SESSION_TIMEOUTS,
  Sessions,
  type SessionTimeouts,
} from '../credentials/sessions.js';
import { CliHandoffs } from './cli-handoff.js';
import { OidcSignIn } from './oidc.js';
import type { OidcSettings } from './oidc-settings.js';
import {
  AddressThrottle,
  type BucketPolicy,
  DEFAULT_FAILURE_BUCKET,
  DEFAULT_LOCK_POLICY,
  DEFAULT_OIDC_START_BUCKET,
  type LockPolicy,
} from './sign-in-throttle.js';

/** How people sign in to this server (serve flags; tests shorten or loosen them). */
export interface SignInOptions {
  timeouts?: Partial<SessionTimeouts>;
  /** Mark the session cookie Secure even on plain http (TLS ends at a proxy in front). */
  cookieSecure?: boolean;
  /** OpenID Connect sign-in; off when absent. */
  oidc?: OidcSettings;
  lockPolicy?: LockPolicy;
  failureBucket?: BucketPolicy;
  oidcStartBucket?: BucketPolicy;
  /** For new password hashes and the dummy hash of unknown names. */
  passwordParams?: ScryptParams;
}

/** What the sign-in routes use (ServerDeps.signIn). */
export interface SignIn {
  sessions: Sessions;
  oidc: OidcSignIn | undefined;
  cookieSecure: boolean;
  lockPolicy: LockPolicy;
  /** Failed password checks per client address. */
  failures: AddressThrottle;
  /** OpenID sign-in starts per client address. */
  oidcStarts: AddressThrottle;
  passwordParams: ScryptParams;
  /** One-time codes from an OpenID sign-in to `evident login --oidc` on loopback. */
  cliHandoffs: CliHandoffs;
}

export function createSignIn(store: Store, options: SignInOptions = {}): SignIn {
  const timeouts = { ...DEFAULT_SESSION_TIMEOUTS, ...options.timeouts };
  return {
    sessions: new Sessions(store.state, new AccountDirectory(store), timeouts),
    oidc: options.oidc ? new OidcSignIn(options.oidc, store.state) : undefined,
    cookieSecure: options.cookieSecure ?? false,
    lockPolicy: options.lockPolicy ?? DEFAULT_LOCK_POLICY,
    failures: new AddressThrottle(options.failureBucket ?? DEFAULT_FAILURE_BUCKET),
    oidcStarts: new AddressThrottle(options.oidcStartBucket ?? DEFAULT_OIDC_START_BUCKET),
    passwordParams: options.passwordParams ?? DEFAULT_SCRYPT,
    cliHandoffs: new CliHandoffs(store.state),
  };
}
