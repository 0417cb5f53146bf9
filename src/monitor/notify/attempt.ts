import type { NotificationMessage } from './message.js';

/** One delivery as a sender needs it. */
export interface Outgoing {
  /** The delivery id: the same on every attempt, so receivers can drop duplicates. */
  id: string;
  message: NotificationMessage;
  createdAtMs: number;
}

/** What one attempt came to; kept on the delivery so an operator sees why it failed. */
export interface AttemptResult {
  ok: boolean;
  /** HTTP status, or the SMTP reply code when the relay refused. */
  status?: number;
  error?: string;
  /** The receiver asked us to wait this long (HTTP Retry-After). */
  retryAfterMs?: number;
  durationMs: number;
}

/** Keeps stored error text short: one line, bounded, never a whole HTML error page. */
export function shortError(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
