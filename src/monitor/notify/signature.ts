import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures in the Stripe style: `Evident-Signature: t=<unix seconds>,v1=<hex>`, where
 * v1 = HMAC-SHA256(secret, "<t>.<raw body>"). The timestamp is signed with the body, so a
 * captured request cannot be replayed once it falls outside the receiver's tolerance; the
 * `Evident-Delivery` id lets a receiver drop a replay within it. docs/notifications.md has the
 * receiver's recipe; this file is that recipe in code.
 */
export const SIGNATURE_HEADER = 'Evident-Signature';
export const DELIVERY_HEADER = 'Evident-Delivery';
export const EVENT_HEADER = 'Evident-Event';
export const SIGNATURE_SCHEME = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookBody = string | Uint8Array;

function hmacHex(secret: string, timestamp: number, body: WebhookBody): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`, 'utf8');
  mac.update(body);
  return mac.digest('hex');
}

/** The header value for a request sent at `nowMs`. */
export function signWebhook(secret: string, body: WebhookBody, nowMs: number): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},${SIGNATURE_SCHEME}=${hmacHex(secret, t, body)}`;
}

export type WebhookVerification =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'malformed' | 'outside_tolerance' | 'mismatch' };

/**
 * What a receiver does with `Evident-Signature`: checks the timestamp lies within
 * `toleranceSeconds` of its own clock (either side, so a skewed or forged future timestamp
 * fails too) and that one `v1` signature matches, in constant time. `body` must be the raw
 * bytes as received, before any JSON parsing.
 */
export function verifyWebhookSignature(
  secret: string,
  header: string | undefined,
  body: WebhookBody,
  nowMs: number,
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): WebhookVerification {
  if (header === undefined || header.length > 4096) return { ok: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return { ok: false, reason: 'malformed' };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,15}$/.test(value) || timestamp !== undefined) {
        return { ok: false, reason: 'malformed' };
      }
      timestamp = Number(value);
    } else if (key === SIGNATURE_SCHEME && /^[0-9a-f]{64}$/.test(value)) {
      signatures.push(Buffer.from(value, 'hex'));
    }
    // Other schemes are ignored, so a future v2 can be added beside v1.
  }
  if (timestamp === undefined || signatures.length === 0) {
    return { ok: false, reason: 'malformed' };
  }
  if (Math.abs(nowMs / 1000 - timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'outside_tolerance' };
  }
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const match = signatures.some((s) => timingSafeEqual(s, expected));
  return match ? { ok: true, timestamp } : { ok: false, reason: 'mismatch' };
}
