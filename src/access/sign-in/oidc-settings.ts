import { AppError } from '../../errors.js';

/** Where the provider sends people back: Evident's callback route, behind any prefix. */
export const OIDC_CALLBACK_PATH = '/api/v1/auth/oidc/callback';

/** An OpenID Connect relying-party registration (serve --oidc-*, env EVIDENT_OIDC_*). */
export interface OidcSettings {
  /** The issuer identifier; its discovery document is fetched on first use. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Evident's callback URL exactly as registered at the provider. */
  redirectUrl: string;
}

export interface OidcSettingsInput {
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  redirectUrl?: string;
}

const FLAGS: Record<keyof OidcSettingsInput, string> = {
  issuer: '--oidc-issuer',
  clientId: '--oidc-client-id',
  clientSecret: '--oidc-client-secret',
  redirectUrl: '--oidc-redirect-url',
};

/**
 * All four settings or none (OpenID sign-in off). URLs must be https; plain http is allowed
 * only on loopback addresses, for trying things out and for tests.
 */
export function parseOidcSettings(input: OidcSettingsInput): OidcSettings | undefined {
  const given = (Object.keys(FLAGS) as (keyof OidcSettingsInput)[]).filter(
    (k) => input[k] !== undefined && input[k] !== '',
  );
  if (given.length === 0) return undefined;
  const missing = (Object.keys(FLAGS) as (keyof OidcSettingsInput)[]).filter(
    (k) => !given.includes(k),
  );
  if (missing.length > 0) {
    throw new AppError(
      'invalid_configuration',
      `OpenID Connect sign-in needs ${missing.map((k) => FLAGS[k]).join(', ')} as well (or env EVIDENT_OIDC_*)`,
    );
  }
  checkUrl(input.issuer!, FLAGS.issuer);
  const redirect = checkUrl(input.redirectUrl!, FLAGS.redirectUrl);
  if (!redirect.pathname.endsWith(OIDC_CALLBACK_PATH) || redirect.search || redirect.hash) {
    throw new AppError(
      'invalid_configuration',
      `${FLAGS.redirectUrl} must be Evident's callback, ending in ${OIDC_CALLBACK_PATH}, without a query`,
    );
  }
  return {
    issuer: input.issuer!,
    clientId: input.clientId!,
    clientSecret: input.clientSecret!,
    redirectUrl: redirect.href,
  };
}

/** http only to this machine: openid-client refuses plain http otherwise, and so do we. */
export function isLoopbackHttp(url: URL): boolean {
  return url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
}

function checkUrl(text: string, flag: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError('invalid_configuration', `${flag} must be an absolute URL; got "${text}"`);
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new AppError(
      'invalid_configuration',
      `${flag} must use https (plain http only on 127.0.0.1, localhost or [::1]); got "${text}"`,
    );
  }
  return url;
}
