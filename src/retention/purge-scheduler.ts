import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { SelfAudit } from '../log/self-audit.js';
import { Lease } from '../monitor/engine/lease.js';
import type { Store } from '../store/store.js';
import type { Clock } from '../util/clock.js';
import { type BeforePurge, PurgeRunner } from './purge-runner.js';

/** The engine_lease row of the purge: one process purges at a time, on PostgreSQL too. */
export const PURGE_LEASE_ID = 'retention-purge';

export interface PurgeSchedulerOptions {
  store: Store;
  audit: Pick<SelfAudit, 'record' | 'recordWithin'>;
  clock: Clock;
  /** Between runs (default one hour). */
  intervalMs?: number;
  /** Pause between batches while a run has more (default 50 ms), so appends interleave. */
  batchPauseMs?: number;
  batchSize?: number;
  leaseMs?: number;
  beforePurge?: BeforePurge;
  onPurged?: (count: number) => void;
  onError?: (error: unknown) => void;
}

/**
 * Runs the purge on a schedule. A run takes the retention lease (engine_lease row
 * `retention-purge`, compare-and-set, as the rule engine does), then purges one bounded batch
 * at a time, renewing the lease between batches and stopping when it is lost, so several
 * server processes never purge at once and a batch never holds the writer long.
 */
export class PurgeScheduler {
  private readonly runner: PurgeRunner;
  private readonly lease: Lease;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly options: PurgeSchedulerOptions) {
    this.runner = new PurgeRunner({
      store: options.store,
      audit: options.audit,
      clock: options.clock,
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.beforePurge ? { beforePurge: options.beforePurge } : {}),
    });
    const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.lease = new Lease(
      options.store,
      holder,
      options.clock,
      options.leaseMs ?? 60_000,
      PURGE_LEASE_ID,
    );
  }

  start(): void {
    this.schedule(0);
  }

  /** One run now (tests, and each timer tick): resolves with the payloads purged. */
  async runNow(): Promise<number> {
    if (!(await this.lease.acquire())) return 0;
    let purged = 0;
    try {
      for (;;) {
        const result = await this.runner.runOnce({ maxBatches: 1 });
        purged += result.purged;
        if (!result.more || this.stopped) break;
        if (!(await this.lease.keep())) break;
        await pause(this.options.batchPauseMs ?? 50);
      }
    } finally {
      await this.lease.release();
    }
    if (purged > 0) this.options.onPurged?.(purged);
    return purged;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runNow()
        .then(
          () => undefined,
          (error: unknown) => this.options.onError?.(error),
        )
        .finally(() => this.schedule(this.options.intervalMs ?? 3_600_000));
    }, delayMs);
    this.timer.unref();
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
