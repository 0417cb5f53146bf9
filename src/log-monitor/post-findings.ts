import type { Finding } from './check-log.js';

/** What a monitor webhook receives (JSON): the log, and every finding of this look. */
export interface FindingsPayload {
  type: 'evident.log_monitor.findings';
  log_url: string;
  origin: string | undefined;
  findings: Finding[];
  checked_at: string;
}

const WEBHOOK_TIMEOUT_MS = 10_000;

/** POSTs the findings; throws with the reason when the receiver does not take them (2xx). */
export async function postFindings(webhook: string, payload: FindingsPayload): Promise<void> {
  const response = await fetch(webhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  if (!response.ok) throw new Error(`the webhook answered ${response.status}`);
}
