import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError } from '../../client/api-client.js';
import type { StoredLogin } from './stored-logins.js';
import { loginTokenLabel } from './web-session.js';

/** How long the CLI waits for the browser to come back. */
export const OIDC_WAIT_MS = 5 * 60_000;
const CALLBACK_PATH = '/callback';

interface HandedOff {
  id: string;
  principal_id: string;
  expires_at: string;
  token: string;
  principal: { name: string };
}

/**
 * `evident login --oidc` (RFC 8252, native apps): listen on 127.0.0.1 on a port the system
 * picks, print the server's sign-in URL with our listener, a PKCE challenge and a state,
 * wait for the browser to bring back a one-time code, and trade it (with the verifier) for
 * a token. `announce` prints the URL; the person opens it in any browser on this machine.
 */
export async function oidcLogin(
  url: string,
  announce: (signInUrl: string) => void,
  waitMs = OIDC_WAIT_MS,
): Promise<StoredLogin> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(24).toString('base64url');
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  try {
    const redirect = `http://127.0.0.1:${(server.address() as AddressInfo).port}${CALLBACK_PATH}`;
    const start = new URL(`${url}/api/v1/auth/oidc/start`);
    start.searchParams.set('cli_redirect', redirect);
    start.searchParams.set('cli_challenge', challenge);
    start.searchParams.set('cli_state', state);
    announce(start.href);
    const code = await codeFromBrowser(server, state, waitMs);
    return await redeem(url, code, verifier);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** The first request to the callback that carries our state; anything else is turned away. */
function codeFromBrowser(server: Server, state: string, waitMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `no sign-in came back within ${waitMs / 60_000} minutes; run \`evident login --oidc\` again`,
          ),
        ),
      waitMs,
    );
    server.on('request', (req, res) => {
      const at = new URL(req.url ?? '/', 'http://127.0.0.1');
      const code = at.searchParams.get('code');
      const given = at.searchParams.get('state') ?? '';
      const ours =
        Buffer.byteLength(given) === Buffer.byteLength(state) &&
        timingSafeEqual(Buffer.from(given), Buffer.from(state));
      if (req.method !== 'GET' || at.pathname !== CALLBACK_PATH || !code || !ours) {
        // Not the sign-in this CLI started (a stray request, or someone else's code).
        res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('This is not the sign-in that `evident login` is waiting for.\n');
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Signed in to Evident. You can close this tab and return to the terminal.\n');
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function redeem(url: string, code: string, verifier: string): Promise<StoredLogin> {
  let response: Response;
  try {
    response = await fetch(`${url}/api/v1/auth/cli/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, code_verifier: verifier, label: loginTokenLabel() }),
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
    throw new ApiError(0, 'unreachable', `cannot reach ${url} (${reason})`);
  }
  const body = (await response.json().catch(() => ({}))) as Partial<HandedOff> & {
    error?: { code?: string; reason?: string; message?: string };
  };
  if (!response.ok || !body.token || !body.id || !body.expires_at || !body.principal_id) {
    throw new ApiError(
      response.status,
      body.error?.code ?? 'http_error',
      body.error?.message ?? `POST /api/v1/auth/cli/token answered ${response.status}`,
      undefined,
      body.error?.reason,
    );
  }
  return {
    url,
    token: body.token,
    token_id: body.id,
    principal_id: body.principal_id,
    name: body.principal?.name ?? body.principal_id,
    method: 'oidc',
    created_at: new Date().toISOString(),
    expires_at: body.expires_at,
  };
}
