import type { DeliveryStatus, StoredDelivery } from './queue.js';
import { httpStatusText } from './send-webhook.js';

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** A delivery as the API shows it (allow-list; the frozen message is summarised). */
export function deliveryJson(
  doc: Pick<StoredDelivery, 'value'>,
  status: DeliveryStatus,
  nowMs: number,
): Record<string, unknown> {
  const d = doc.value;
  const a = d.message.alert;
  const last = d.history[d.history.length - 1];
  return {
    id: d.id,
    // A lease that ran out belongs to a process that died mid-attempt: it waits for a retry.
    status:
      status === 'queued' && d.lease !== undefined && d.lease.untilMs > nowMs ? 'sending' : status,
    channel: d.channelId,
    event: d.message.event,
    alert: {
      id: a.id,
      rule_id: a.rule_id,
      title: a.title,
      severity: a.severity,
      sources: a.sources,
    },
    attempts: d.attempts,
    replays: d.replays,
    created_at: iso(d.createdAtMs),
    next_attempt_at: status === 'queued' ? iso(d.nextAttemptAtMs) : null,
    finished_at: iso(d.finishedAtMs),
    last_error: last?.ok === false ? (shownError(last) ?? null) : null,
    history: d.history.map((h) => ({
      at: iso(h.atMs),
      ok: h.ok,
      ...(h.status !== undefined ? { status: h.status } : {}),
      ...(h.error !== undefined ? { error: shownError(h) } : {}),
      duration_ms: h.durationMs,
    })),
  };
}

/**
 * Older versions kept the start of a receiver's error body after the status ("HTTP 500:
 * <body>"); it is never shown: an HTTP failure shows as its status and standard phrase.
 */
function shownError(attempt: { status?: number; error?: string }): string | undefined {
  if (attempt.status !== undefined && attempt.error?.startsWith('HTTP ')) {
    return httpStatusText(attempt.status);
  }
  return attempt.error;
}
