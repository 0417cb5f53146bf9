import type { StateLimits } from './limits.js';

export type SuppressionSnapshot = [key: string, lastAlertAt: number][];

/**
 * One alert per group per window: a flood of matching entries raises one alert, and the
 * next only once `window` has passed since the last raised one (suppressed firings are
 * dropped, not queued). Keys are in last-alert order, so expired ones sit at the front.
 */
export class Suppression {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly limits: StateLimits,
    snapshot?: SuppressionSnapshot,
  ) {
    for (const [key, at] of snapshot ?? []) this.last.set(key, at);
  }

  /** True when an alert for `key` at `now` may be raised (and records it). */
  admit(key: string, now: number): boolean {
    for (const [k, at] of this.last) {
      if (now - at < this.windowMs) break;
      this.last.delete(k);
    }
    if (this.last.has(key)) return false;
    this.last.set(key, now);
    if (this.last.size > this.limits.maxGroupsPerRule) {
      this.last.delete(this.last.keys().next().value!);
    }
    return true;
  }

  snapshot(): SuppressionSnapshot {
    return [...this.last];
  }
}
