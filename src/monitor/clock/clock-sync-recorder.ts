import type { SelfAudit } from '../../log/self-audit.js';
import type { Clock } from '../../util/clock.js';
import type { ClockSyncSource, ClockSyncStatus } from './clock-sync.js';

/** The log's own event for the server clock's sync state (ISO 27001 A.8.17). */
export const CLOCK_SYNC_ACTION = 'clock.sync';
/** How often a server looks again; a change is recorded at the next look. */
export const CLOCK_SYNC_INTERVAL_MS = 10 * 60_000;

const ACTOR = { kind: 'system', id: 'clock-sync' } as const;

/**
 * Puts the server clock's sync state in the log, so a coverage report (and an auditor)
 * reads it for any past period: one `clock.sync` event when the server starts and one each
 * time the state changes (synchronised or not, or the method that tells). /healthz only
 * shows the state now.
 */
export class ClockSyncRecorder {
  private last: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      source: ClockSyncSource;
      audit: Pick<SelfAudit, 'record'>;
      clock: Clock;
      onError?: (error: unknown) => void;
    },
  ) {}

  /** Looks once; appends an event when the state differs from the last one recorded. */
  async check(): Promise<ClockSyncStatus | undefined> {
    const status = await this.deps.source.status();
    const key = `${status.synchronized}|${status.method}`;
    if (key === this.last) return undefined;
    await this.deps.audit.record({
      principal: ACTOR,
      action: CLOCK_SYNC_ACTION,
      target: { type: 'clock', id: 'server' },
      category: 'audit',
      details: {
        synchronized: status.synchronized,
        method: status.method,
        reason: status.reason ?? null,
        checked_at: new Date(status.checkedAtMs).toISOString(),
      },
    });
    this.last = key;
    return status;
  }

  start(intervalMs = CLOCK_SYNC_INTERVAL_MS): void {
    this.timer = setInterval(() => {
      this.check().catch((error) => this.deps.onError?.(error));
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
