import { request as httpRequest, type IncomingMessage, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { type AttemptResult, type Outgoing, shortError } from './attempt.js';
import { jsonPayload, slackPayload } from './message.js';
import type { WebhookChannel } from './settings.js';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, signWebhook } from './signature.js';
import { guardedLookup, type Resolver, TARGET_REFUSED, TargetPolicy } from './target-policy.js';

const USER_AGENT = 'Evident-Webhook/1';

/** The exact bytes a webhook sends: JSON by default, Slack's `{text, blocks}` on request. */
export function webhookBody(channel: WebhookChannel, outgoing: Outgoing): string {
  const payload =
    channel.format === 'slack'
      ? slackPayload(outgoing.message)
      : jsonPayload(outgoing.id, outgoing.message, outgoing.createdAtMs);
  return JSON.stringify(payload);
}

export interface WebhookOptions {
  nowMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** CIDRs and host names of internal receivers (settings `allow_internal`). */
  allowInternal: readonly string[];
  /** How names are resolved (tests pass a fixed answer to show DNS rebinding is caught). */
  resolve?: Resolver;
}

/**
 * One POST, signed at `nowMs` (a retry is signed afresh, so it passes a receiver's replay
 * window). The whole exchange is bounded by `timeoutMs`; redirects are not followed, so a
 * signed body never lands somewhere the operator did not configure. The address is checked
 * where the connection is made (target-policy.ts), and only the receiver's status is kept:
 * its body and reason phrase are never read, so Evident cannot be made to fetch and show
 * what an internal address answers.
 */
export async function sendWebhook(
  channel: WebhookChannel,
  outgoing: Outgoing,
  options: WebhookOptions,
): Promise<AttemptResult> {
  const body = webhookBody(channel, outgoing);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const policy = new TargetPolicy(options.allowInternal);
  const url = new URL(channel.url);
  // Names are checked by guardedLookup as the connection is made; literal addresses here.
  const refused = policy.literalRefusal(url);
  if (refused !== undefined) {
    return { ok: false, error: shortError(`refused: ${refused}`), durationMs: elapsed() };
  }
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const response = await post(url, body, {
      signal,
      lookup: guardedLookup(policy, options.resolve),
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        'user-agent': USER_AGENT,
        [SIGNATURE_HEADER]: signWebhook(channel.secret, body, options.nowMs),
        [DELIVERY_HEADER]: outgoing.id,
        [EVENT_HEADER]: outgoing.message.event,
      },
    });
    // Only the status line counts; what the receiver says after it is not read.
    response.destroy();
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) return { ok: true, status, durationMs: elapsed() };
    const retryAfterMs = parseRetryAfter(response.headers['retry-after'] ?? null, options.nowMs);
    return {
      ok: false,
      status,
      error: httpStatusText(status),
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      durationMs: elapsed(),
    };
  } catch (error) {
    const message = timeout.aborted
      ? `no answer within ${options.timeoutMs} ms`
      : options.signal?.aborted
        ? 'interrupted: the notifier stopped'
        : describeError(error);
    return { ok: false, error: shortError(message), durationMs: elapsed() };
  }
}

/** `HTTP 500 Internal Server Error`: the status and its standard phrase, not the receiver's. */
export function httpStatusText(status: number): string {
  const phrase = STATUS_CODES[status];
  return `HTTP ${status}${phrase ? ` ${phrase}` : ''}`;
}

/** One request, no agent reuse (alerts are rare), resolved at the response's status line. */
function post(
  url: URL,
  body: string,
  options: { signal: AbortSignal; lookup: LookupFunction; headers: Record<string, string> },
): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, {
      method: 'POST',
      agent: false,
      signal: options.signal,
      lookup: options.lookup,
      headers: options.headers,
    });
    request.once('response', resolve);
    request.once('error', reject);
    request.end(body);
  });
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  if (/^\d{1,9}$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** A connection failure in a few words: the error code and Node's own message. */
function describeError(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  if (code === TARGET_REFUSED) return `refused: ${message}`;
  const text = message ?? String(error);
  return code && !text.includes(code) ? `${code}: ${text}` : text;
}
