/** One append request: POST /api/v1/events as NDJSON, its answer or a coded error. */
import { EvidentClientError } from './errors.js';

export interface AppendAnswer {
  entries: {
    id: string;
    seq: number;
    leaf_hash: string;
    /** true when this id was already stored with the same content (a retry, a re-import). */
    already_stored?: boolean;
    inclusion?: string[];
  }[];
  checkpoint: string;
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface SendOptions {
  url: string;
  key: string;
  fetch: FetchLike;
  /** Ask for an inclusion proof per event (`?proof=inclusion`). */
  proofs: boolean;
  /** A declared backfill of past events (`?historical=true`): recorded in each record, never alerted on. */
  historical?: boolean;
  timeoutMs: number;
}

/** Errors worth retrying with the same ids: the server may or may not have stored them. */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof EvidentClientError)) return false;
  if (error.code === 'unreachable') return true;
  return error.status === 429 || (error.status !== undefined && error.status >= 500);
}

export async function sendBatch(lines: readonly string[], o: SendOptions): Promise<AppendAnswer> {
  const query = new URLSearchParams();
  if (o.proofs) query.set('proof', 'inclusion');
  if (o.historical) query.set('historical', 'true');
  const target = `${o.url.replace(/\/+$/, '')}/api/v1/events${query.size > 0 ? `?${query}` : ''}`;
  let response: Response;
  try {
    response = await o.fetch(target, {
      method: 'POST',
      headers: { authorization: `Bearer ${o.key}`, 'content-type': 'application/x-ndjson' },
      body: lines.join('\n'),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (cause) {
    const reason = (cause as { cause?: { code?: string } }).cause?.code ?? String(cause);
    throw new EvidentClientError('unreachable', `cannot reach ${o.url} (${reason})`, { cause });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (cause) {
    // A cut answer is a lost answer: the events may be stored, so the batch is retried.
    throw new EvidentClientError(
      'unreachable',
      `${o.url} answered ${response.status} without JSON`,
      {
        cause,
        status: response.ok ? undefined : response.status,
      },
    );
  }
  if (!response.ok) {
    const err = (
      body as { error?: { code?: string; reason?: string; message?: string; path?: string } }
    ).error;
    const retryable = response.status === 429 || response.status >= 500;
    throw new EvidentClientError(
      retryable ? 'server_error' : 'rejected',
      err?.message ?? `${o.url} answered ${response.status}`,
      {
        status: response.status,
        ...(err?.path ? { path: err.path } : {}),
        ...(err?.code ? { serverCode: err.code } : {}),
        ...(err?.reason ? { serverReason: err.reason } : {}),
      },
    );
  }
  return body as AppendAnswer;
}

/** Retry-After (seconds) from a 429/503 is not visible through the error; backoff is ours. */
export function backoffMs(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
