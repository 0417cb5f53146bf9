import type { DeliverySettings } from './settings.js';

/**
 * How long to wait after the `attempts`-th failed attempt: exponential from
 * `backoffInitialMs`, capped at `backoffMaxMs`, with "equal jitter" (half fixed, half
 * random) so receivers that failed together do not get retried in lockstep, yet a retry
 * never comes almost at once. A receiver's Retry-After is honoured up to the cap.
 */
export function retryDelayMs(
  attempts: number,
  delivery: Pick<DeliverySettings, 'backoffInitialMs' | 'backoffMaxMs'>,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const ceiling = Math.min(delivery.backoffMaxMs, delivery.backoffInitialMs * 2 ** exponent);
  const jittered = ceiling / 2 + random() * (ceiling / 2);
  return Math.round(Math.min(delivery.backoffMaxMs, Math.max(jittered, retryAfterMs ?? 0)));
}
