/**
 * A thin client for the Evident HTTP API, used by the CLI (and usable from scripts). Errors
 * carry the server's category (`code`), precise `reason` (docs/api.md, Error reasons) and
 * message so the CLI can say exactly what to fix. Servers before reasons send none.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly path?: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  token: string;
  /** Rewrites a 401 in terms of where the token came from (the CLI's stored login, say). */
  explainUnauthorized?: (error: ApiError) => ApiError;
}

export class ApiClient {
  constructor(private readonly options: ApiClientOptions) {}

  async getJson<T>(
    path: string,
    query: Record<string, string | number | undefined> = {},
  ): Promise<T> {
    const response = await this.request('GET', path, query);
    return (await response.json()) as T;
  }

  async getText(
    path: string,
    query: Record<string, string | number | undefined> = {},
  ): Promise<string> {
    const response = await this.request('GET', path, query);
    return response.text();
  }

  /** The response itself, for bodies read as a stream (exports); errors thrown as ApiError. */
  async getResponse(
    path: string,
    query: Record<string, string | number | undefined> = {},
  ): Promise<Response> {
    return this.request('GET', path, query);
  }

  async post<T>(path: string, body: string, contentType: string): Promise<T> {
    const response = await this.request('POST', path, {}, body, contentType);
    return (await response.json()) as T;
  }

  /** The response of a POST, for bodies read as a stream (an evidence pack). */
  async postResponse(path: string, body: string, contentType: string): Promise<Response> {
    return this.request('POST', path, {}, body, contentType);
  }

  async put<T>(path: string, body: string, contentType: string): Promise<T> {
    const response = await this.request('PUT', path, {}, body, contentType);
    return (await response.json()) as T;
  }

  async patch<T>(path: string, body: string, contentType: string): Promise<T> {
    const response = await this.request('PATCH', path, {}, body, contentType);
    return (await response.json()) as T;
  }

  async delete<T>(path: string): Promise<T> {
    const response = await this.request('DELETE', path, {});
    return (await response.json()) as T;
  }

  private async request(
    method: string,
    path: string,
    query: Record<string, string | number | undefined>,
    body?: string,
    contentType?: string,
  ): Promise<Response> {
    const url = new URL(`${this.options.baseUrl}${path}`);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { authorization: `Bearer ${this.options.token}` };
    if (contentType) headers['content-type'] = contentType;
    let response: Response;
    try {
      response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? String(error);
      throw new ApiError(
        0,
        'unreachable',
        `cannot reach ${this.options.baseUrl} (${reason}); is \`evident serve\` running?`,
      );
    }
    if (!response.ok) {
      let code = 'http_error';
      let message = `${method} ${url.pathname} answered ${response.status}`;
      let fieldPath: string | undefined;
      let reason: string | undefined;
      try {
        const parsed = (await response.json()) as {
          error?: { code?: string; reason?: string; message?: string; path?: string };
        };
        code = parsed.error?.code ?? code;
        reason = parsed.error?.reason;
        message = parsed.error?.message ?? message;
        fieldPath = parsed.error?.path;
      } catch {
        // Not our error shape (a proxy?): keep the status line.
      }
      const error = new ApiError(response.status, code, message, fieldPath, reason);
      throw response.status === 401 && this.options.explainUnauthorized
        ? this.options.explainUnauthorized(error)
        : error;
    }
    return response;
  }
}
