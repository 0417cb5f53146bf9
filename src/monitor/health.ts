import { readFourEyes } from '../access/admin/four-eyes-settings.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { ClockSyncProbe, type ClockSyncSource, type ClockSyncStatus } from './clock/clock-sync.js';

export interface Health {
  clock: ClockSyncStatus;
  /** Undefined when the store could not be read (the probe answers 503). */
  log?: { treeSize: number; readerGrants: 'on' | 'off' };
}

/**
 * What /healthz reports: is the log there, how big, and is this host's clock synchronised
 * (received_at is the authoritative time, ISO 27001 A.8.17). The clock's state never fails
 * the probe: it is reported, with a reason when unknown.
 */
export class HealthCheck {
  private readonly clockSync: ClockSyncSource;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    clockSync?: ClockSyncSource,
  ) {
    this.clockSync = clockSync ?? new ClockSyncProbe({ clock });
  }

  async check(): Promise<Health> {
    const clock = await this.clockSync.status().catch(
      (error: unknown): ClockSyncStatus => ({
        synchronized: null,
        method: 'none',
        checkedAtMs: this.clock.now(),
        reason: `check failed: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
    try {
      const head = await this.store.head();
      const fourEyes = await readFourEyes(this.store);
      return { clock, log: { treeSize: head?.size ?? 0, readerGrants: fourEyes.readerGrants } };
    } catch {
      return { clock };
    }
  }
}
