import { createHash } from 'node:crypto';
import type { Configuration } from 'openid-client';
import { AppError } from '../../errors.js';
import type { QueryRunner } from '../../store/sql/query-runner.js';
import {
  deleteExpiredOidcFlows,
  deleteOidcFlow,
  insertOidcFlow,
  oidcFlowById,
} from '../../store/tables/credentials/oidc-flows-table.js';
import type { CliHandoffRequest } from './cli-handoff.js';
import { isLoopbackHttp, type OidcSettings } from './oidc-settings.js';

/**
 * One sign-in in progress (table oidc_flows, id = the `state` parameter): what the callback
 * needs to finish it. Single-use: the callback deletes it before exchanging the code, and only
 * the request whose delete removed the row goes on, so a state is honoured at most once.
 */
export interface OidcFlow {
  nonce: string;
  /** RFC 7636 PKCE verifier; only its S256 challenge went to the provider. */
  codeVerifier: string;
  /** Where to send the person afterwards: a path on this server. */
  returnTo: string;
  /** SHA-256 of the flow cookie of the browser that started it (login CSRF, RFC 6749 §10.12). */
  browserHash: string;
  /** Set when `evident login --oidc` started it: the callback hands a code to the CLI. */
  cli?: CliHandoffRequest;
  createdAtMs: number;
  expiresAtMs: number;
}

export const OIDC_FLOW_TTL_MS = 10 * 60_000;
const PROVIDER_TIMEOUT_S = 10;
const SCOPE = 'openid email profile';

/** Why a callback was refused: recorded in the self-audit event. */
export type OidcFailure =
  | 'bad_state'
  | 'expired_flow'
  | 'provider_error'
  | 'code_exchange_failed'
  | 'wrong_audience'
  | 'invalid_id_token';

export type OidcOutcome =
  | {
      ok: true;
      issuer: string;
      subject: string;
      email: string | undefined;
      returnTo: string;
      cli: CliHandoffRequest | undefined;
    }
  | { ok: false; reason: OidcFailure; message: string };

/**
 * The relying party (OpenID Connect Core 1.0 §3.1, authorization code flow with PKCE) over
 * openid-client, which checks the ID token's signature, issuer, audience, nonce and times.
 * The provider's metadata is discovered on first use and kept; a failed discovery is
 * retried by the next sign-in.
 */
export class OidcSignIn {
  private configuration: Promise<Configuration> | undefined;

  constructor(
    readonly settings: OidcSettings,
    private readonly state: QueryRunner,
  ) {}

  /** Stores a flow and returns the provider's authorization URL to send the browser to. */
  async start(
    input: { returnTo: string; browserKey: string; cli?: CliHandoffRequest },
    nowMs: number,
  ): Promise<URL> {
    const config = await this.config();
    const client = await openidClient();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const flow: OidcFlow = {
      nonce,
      codeVerifier,
      returnTo: input.returnTo,
      browserHash: sha256(input.browserKey),
      ...(input.cli ? { cli: input.cli } : {}),
      createdAtMs: nowMs,
      expiresAtMs: nowMs + OIDC_FLOW_TTL_MS,
    };
    // A random 256-bit state never collides: a taken one fails as a primary-key violation.
    await insertOidcFlow(this.state, {
      id: state,
      nonce: flow.nonce,
      codeVerifier: flow.codeVerifier,
      returnTo: flow.returnTo,
      browserHash: flow.browserHash,
      cli: flow.cli ?? null,
      createdAtMs: flow.createdAtMs,
      expiresAtMs: flow.expiresAtMs,
    });
    return client.buildAuthorizationUrl(config, {
      redirect_uri: this.settings.redirectUrl,
      scope: SCOPE,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    });
  }

  /** Finishes the flow named by the callback's `state`; `query` is the callback's query. */
  async finish(
    input: { query: URLSearchParams; browserKey: string | undefined },
    nowMs: number,
  ): Promise<OidcOutcome> {
    const state = input.query.get('state');
    const flow = state && state.length <= 256 ? await this.flow(state) : undefined;
    if (!state || !flow) {
      return fail('bad_state', 'unknown or already used sign-in state; start the sign-in again');
    }
    if (input.browserKey === undefined || sha256(input.browserKey) !== flow.browserHash) {
      return fail('bad_state', 'this sign-in was started in another browser; start it again here');
    }
    if ((await deleteOidcFlow(this.state, state)) !== 1) {
      return fail('bad_state', 'this sign-in state was just used; start the sign-in again');
    }
    if (flow.expiresAtMs <= nowMs) {
      return fail('expired_flow', 'the sign-in took longer than 10 minutes; start it again');
    }
    const error = input.query.get('error');
    if (error !== null) {
      const description = input.query.get('error_description');
      return fail(
        'provider_error',
        `the OpenID provider refused the sign-in: ${clip(error)}${description ? ` (${clip(description)})` : ''}`,
      );
    }
    const config = await this.config();
    const client = await openidClient();
    const callback = new URL(this.settings.redirectUrl);
    callback.search = input.query.toString();
    try {
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: flow.codeVerifier,
        expectedState: state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) return fail('invalid_id_token', 'the provider returned no ID token');
      return {
        ok: true,
        issuer: claims.iss,
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : undefined,
        returnTo: flow.returnTo,
        cli: flow.cli,
      };
    } catch (error) {
      return classify(error, client);
    }
  }

  /** A sign-in in progress, by its `state` parameter. */
  async flow(state: string): Promise<OidcFlow | undefined> {
    const row = await oidcFlowById(this.state, state);
    if (!row) return undefined;
    const { id: _, cli, ...flow } = row;
    return cli ? { ...flow, cli } : flow;
  }

  /** Deletes flows nobody finished (one statement). */
  purgeExpired(nowMs: number): Promise<number> {
    return deleteExpiredOidcFlows(this.state, nowMs);
  }

  private config(): Promise<Configuration> {
    this.configuration ??= this.discover().catch((error: unknown) => {
      this.configuration = undefined;
      throw new AppError(
        'oidc_provider_unreachable',
        `the OpenID provider ${this.settings.issuer} could not be reached or described itself wrongly: ${(error as Error).message}`,
        { cause: error },
      );
    });
    return this.configuration;
  }

  private async discover(): Promise<Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    const insecure = isLoopbackHttp(new URL(issuer));
    const client = await openidClient();
    const config = await client.discovery(
      new URL(issuer),
      clientId,
      undefined,
      client.ClientSecretBasic(clientSecret),
      {
        timeout: PROVIDER_TIMEOUT_S,
        ...(insecure ? { execute: [client.allowInsecureRequests] } : {}),
      },
    );
    config.timeout = PROVIDER_TIMEOUT_S;
    return config;
  }
}

/**
 * openid-client (with jose and oauth4webapi) is loaded by the first sign-in, not with the
 * server: a server without OIDC never needs it, and loaded code stays resident.
 */
function openidClient(): Promise<typeof import('openid-client')> {
  return import('openid-client');
}

function classify(error: unknown, client: typeof import('openid-client')): OidcOutcome {
  if (error instanceof client.ResponseBodyError) {
    return fail(
      'code_exchange_failed',
      `the OpenID provider refused the code: ${clip(error.error)}${error.error_description ? ` (${clip(error.error_description)})` : ''}`,
    );
  }
  if (error instanceof client.AuthorizationResponseError) {
    return fail('provider_error', `the OpenID provider refused the sign-in: ${clip(error.error)}`);
  }
  if (error instanceof client.ClientError) {
    const claim = (error.cause as { cause?: { claim?: unknown } } | undefined)?.cause?.claim;
    if (claim === 'aud' || claim === 'azp') {
      return fail(
        'wrong_audience',
        `the ID token was not issued to this client (${error.message})`,
      );
    }
    if (error.code !== undefined && ID_TOKEN_CODES.has(error.code)) {
      return fail('invalid_id_token', `the provider's response did not verify: ${error.message}`);
    }
  }
  return fail(
    'code_exchange_failed',
    `the code could not be exchanged at the OpenID provider: ${(error as Error).message}`,
  );
}

/** openid-client codes for responses that arrived but did not verify (oauth4webapi). */
const ID_TOKEN_CODES = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
  'OAUTH_INVALID_RESPONSE',
  'OAUTH_KEY_SELECTION_FAILED',
  'OAUTH_PARSE_ERROR',
]);

function fail(reason: OidcFailure, message: string): OidcOutcome {
  return { ok: false, reason, message };
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Provider-supplied text in our messages: bounded, printable. */
function clip(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
}
