import { hostname } from 'node:os';
import { ApiError } from '../../client/api-client.js';
import type { StoredLogin } from './stored-logins.js';

/** A browser-style session held for a moment: the cookies the server set and its CSRF token. */
export interface WebSession {
  cookie: string;
  csrfToken: string;
  /** The signed-in account's name, as the server knows it. */
  name: string;
}

interface CreatedToken {
  id: string;
  principal_id: string;
  expires_at: string;
  token: string;
}

/** What `evident login` asks for: short-lived, so a forgotten laptop login ends by itself. */
export const LOGIN_TOKEN_HOURS = 12;
export const loginTokenLabel = () => `cli-login@${hostname()}`.slice(0, 256);

async function send(
  url: string,
  path: string,
  init: { body?: unknown; session?: WebSession },
): Promise<Response> {
  const headers: Record<string, string> = {};
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.session) {
    headers.cookie = init.session.cookie;
    headers['x-csrf-token'] = init.session.csrfToken;
  }
  let response: Response;
  try {
    response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      redirect: 'manual',
    });
  } catch (error) {
    const reason = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
    throw new ApiError(0, 'unreachable', `cannot reach ${url} (${reason}); is it the right URL?`);
  }
  if (!response.ok) {
    let code = 'http_error';
    let message = `POST ${path} answered ${response.status}`;
    let reason: string | undefined;
    try {
      const parsed = (await response.json()) as {
        error?: { code?: string; reason?: string; message?: string };
      };
      code = parsed.error?.code ?? code;
      reason = parsed.error?.reason;
      message = parsed.error?.message ?? message;
    } catch {
      // Not our error shape (a proxy?): keep the status line.
    }
    throw new ApiError(response.status, code, message, undefined, reason);
  }
  return response;
}

/** POST /api/v1/auth/login as the dashboard does; the cookies come back as one header. */
export async function passwordSession(
  url: string,
  name: string,
  password: string,
): Promise<WebSession> {
  const response = await send(url, '/api/v1/auth/login', { body: { name, password } });
  const body = (await response.json()) as { csrf_token?: string; principal?: { name?: string } };
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  if (!body.csrf_token || cookie === '') {
    throw new Error(`${url} signed you in but sent no session cookie or CSRF token`);
  }
  return { cookie, csrfToken: body.csrf_token, name: body.principal?.name ?? name };
}

/**
 * Trades a session for a short-lived API token with the account's roles, then ends the
 * session: the CLI keeps one credential, the token, and the session does not linger.
 */
export async function tokenFromSession(
  url: string,
  session: WebSession,
  method: StoredLogin['method'],
): Promise<StoredLogin> {
  try {
    const response = await send(url, '/api/v1/tokens', {
      session,
      body: { label: loginTokenLabel(), expires_in_hours: LOGIN_TOKEN_HOURS },
    });
    const created = (await response.json()) as CreatedToken;
    return {
      url,
      token: created.token,
      token_id: created.id,
      principal_id: created.principal_id,
      name: session.name,
      method,
      created_at: new Date().toISOString(),
      expires_at: created.expires_at,
    };
  } finally {
    await send(url, '/api/v1/auth/logout', { session }).catch(() => {
      // The session ends by itself at its idle timeout; the token is what matters.
    });
  }
}
