import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/** A client registered at the test provider (client_secret_basic, code flow). */
export interface TestClient {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

/**
 * A real OpenID provider (panva's certified oidc-provider) on 127.0.0.1, for Evident's
 * sign-in tests. What a person would do on its pages is scripted: the login prompt signs in
 * as `user`, the consent prompt grants the requested scopes, and `user = undefined` makes
 * the person refuse (access_denied).
 */
export interface TestOpenIdProvider {
  issuer: string;
  /** The subject the next login prompt signs in as; undefined: the person refuses. */
  user: string | undefined;
  /**
   * Replaces the `id_token` of the next token-endpoint response (a token substitution: an
   * ID token the provider really issued, but for another client).
   */
  substituteIdToken: string | undefined;
  close(): Promise<void>;
}

/** Binds a server on 127.0.0.1 port 0 first, so the issuer URL is known before the provider. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startOpenIdProvider(options: {
  clients: TestClient[];
  emails?: Record<string, string>;
}): Promise<TestOpenIdProvider> {
  const server = createServer();
  const issuer = await listenOnLoopback(server);
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const state: TestOpenIdProvider = {
    issuer,
    user: undefined,
    substituteIdToken: undefined,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  const provider = new Provider(issuer, {
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: [c.redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig' }] },
    cookies: { keys: ['evident-test-provider-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    // Scope claims (email) in the ID token itself, as many providers do; Evident reads no
    // userinfo endpoint.
    conformIdTokenClaims: false,
    findAccount: async (_ctx: unknown, sub: string) => ({
      accountId: sub,
      claims: async () => ({
        sub,
        ...(options.emails?.[sub] ? { email: options.emails[sub], email_verified: true } : {}),
      }),
    }),
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    pkce: { required: () => true },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      Grant: 3600,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
    },
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && state.substituteIdToken !== undefined) {
      ctx.body = { ...(ctx.body as Record<string, unknown>), id_token: state.substituteIdToken };
      state.substituteIdToken = undefined;
    }
  });
  const handle = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/interaction/')) {
      interact(provider, state, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    handle(req, res);
  });
  return state;
}

/** The person at the provider's pages: signs in as `state.user` and consents, or refuses. */
async function interact(
  provider: Provider,
  state: TestOpenIdProvider,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (state.user === undefined) {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'the person declined' },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: state.user } },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = new provider.Grant({
    accountId: details.session!.accountId,
    clientId: String(details.params.client_id),
  });
  grant.addOIDCScope(String(details.params.scope));
  await provider.interactionFinished(
    req,
    res,
    { consent: { grantId: await grant.save() } },
    { mergeWithLastSubmission: true },
  );
}
