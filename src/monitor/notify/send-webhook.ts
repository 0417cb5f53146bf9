import { type AttemptResult, type Outgoing, shortError } from './attempt.js';
import { jsonPayload, slackPayload } from './message.js';
import type { WebhookChannel } from './settings.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook } from './signature.js';

const USER_AGENT = 'Evident-Webhook/1';
/** Enough of an error response to say why, not so much that a big page fills the state. */
const RESPONSE_SNIPPET_BYTES = 512;

/** The exact bytes a webhook sends: JSON by default, Slack's `{text, blocks}` on request. */
export function webhookBody(channel: WebhookChannel, outgoing: Outgoing): string {
  const payload =
    channel.format === 'slack'
      ? slackPayload(outgoing.message)
      : jsonPayload(outgoing.id, outgoing.message, outgoing.createdAtMs);
  return JSON.stringify(payload);
}

/**
 * One POST, signed at `nowMs` (a retry is signed afresh, so it passes a receiver's replay
 * window). The whole exchange, body included, is bounded by `timeoutMs`; redirects are not
 * followed, so a signed body never lands somewhere the operator did not configure.
 */
export async function sendWebhook(
  channel: WebhookChannel,
  outgoing: Outgoing,
  options: { nowMs: number; timeoutMs: number; signal?: AbortSignal },
): Promise<AttemptResult> {
  const body = webhookBody(channel, outgoing);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await fetch(channel.url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        [SIGNATURE_HEADER]: signWebhook(channel.secret, body, options.nowMs),
        [DELIVERY_HEADER]: outgoing.id,
        [EVENT_HEADER]: outgoing.message.event,
      },
      body,
    });
    if (response.status >= 200 && response.status < 300) {
      // Accepted: what the receiver says after its status line does not matter.
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, status: response.status, durationMs: elapsed() };
    }
    const snippet = await readSnippet(response);
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), options.nowMs);
    return {
      ok: false,
      status: response.status,
      error: shortError(`HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      durationMs: elapsed(),
    };
  } catch (error) {
    const message = timeout.aborted
      ? `no answer within ${options.timeoutMs} ms`
      : options.signal?.aborted
        ? 'interrupted: the notifier stopped'
        : describeFetchError(error);
    return { ok: false, error: shortError(message), durationMs: elapsed() };
  }
}

async function readSnippet(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < RESPONSE_SNIPPET_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, RESPONSE_SNIPPET_BYTES).toString('utf8');
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  const message = error instanceof Error ? error.message : String(error);
  // e.g. "fetch failed: bad port" (the Fetch standard blocks ports such as 25 and 6667).
  return cause?.message ? `${message}: ${cause.message}` : message;
}
