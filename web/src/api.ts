/** The API as the dashboard calls it: same origin, the session cookie, CSRF on writes. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

type Listener = () => void;
let csrfToken: string | undefined;
const sessionEndedListeners = new Set<Listener>();

export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** Called when an answer says the session is gone (expired, revoked): the app asks to sign in. */
export function onSessionEnded(listener: Listener): () => void {
  sessionEndedListeners.add(listener);
  return () => sessionEndedListeners.delete(listener);
}

export type Query = Record<string, string | number | undefined>;

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

export async function apiGet<T>(path: string, query?: Query): Promise<T> {
  return request<T>('GET', withQuery(path, query));
}

export async function apiPost<T>(path: string, body?: unknown): Promise<T> {
  return request<T>('POST', path, body);
}

export async function apiPut<T>(path: string, body: unknown): Promise<T> {
  return request<T>('PUT', path, body);
}

export async function apiDelete<T = undefined>(path: string): Promise<T> {
  return request<T>('DELETE', path);
}

/** A write whose body is text of its own type (a YAML rule file), sent as it is. */
export async function apiSendText<T>(
  method: 'POST' | 'PUT',
  path: string,
  text: string,
  contentType: string,
): Promise<T> {
  return request<T>(method, path, new RawBody(text, contentType));
}

class RawBody {
  constructor(
    readonly text: string,
    readonly type: string,
  ) {}
}

async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined)
    headers['content-type'] = body instanceof RawBody ? body.type : 'application/json';
  if (method !== 'GET' && csrfToken !== undefined) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined
        ? { body: body instanceof RawBody ? body.text : JSON.stringify(body) }
        : {}),
    });
  } catch {
    throw new ApiError(0, 'network', 'the server did not answer; check the connection and retry');
  }
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  const payload: unknown = type.includes('json')
    ? await res.json().catch(() => undefined)
    : await res.text();
  if (!res.ok) {
    const error = (payload as { error?: { code?: string; message?: string; path?: string } })
      ?.error;
    const failure = new ApiError(
      res.status,
      error?.code ?? 'http_error',
      error?.message ?? `the server answered ${res.status}`,
      error?.path,
    );
    if (res.status === 401 && !url.startsWith('/api/v1/auth/login')) {
      for (const listener of sessionEndedListeners) listener();
    }
    throw failure;
  }
  return payload as T;
}
