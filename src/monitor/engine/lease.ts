import type { Store } from '../../store/store.js';
import { engineLease, putEngineLease } from '../../store/tables/monitor/engine-tables.js';
import type { Clock } from '../../util/clock.js';

/**
 * Who runs the engine when several server processes share one database: a row taken and
 * renewed by compare-and-set, valid until `expiresAtMs`. A process takes it only
 * when it is free, expired or already its own, so at most one engine works at a time as
 * long as the servers' clocks agree to within the safety margin (they must be synchronised
 * anyway: server time is authoritative). The engine also writes its state by compare-and-set, so a
 * paused process that wakes after losing the lease cannot overwrite its successor's work.
 */
export class Lease {
  private heldUntil = 0;
  private version = 0;

  constructor(
    private readonly store: Store,
    readonly holder: string,
    private readonly clock: Clock,
    readonly ttlMs: number,
    /** Which job's lease (engine_lease.id); default the rule engine's. */
    private readonly id?: string,
  ) {}

  /** Held with at least a third of its time left: safe to do a step of work. */
  isHeld(): boolean {
    return this.clock.now() < this.heldUntil - this.ttlMs / 3;
  }

  /** Takes or renews the lease; false when another live holder has it. */
  async acquire(): Promise<boolean> {
    const now = this.clock.now();
    const current = await engineLease(this.store.state, this.id);
    if (current && current.holder !== this.holder && current.expiresAtMs > now) {
      this.heldUntil = 0;
      return false;
    }
    const expiresAtMs = now + this.ttlMs;
    const version = current?.version ?? 0;
    if (
      !(await putEngineLease(
        this.store.state,
        { holder: this.holder, expiresAtMs },
        version,
        this.id,
      ))
    ) {
      this.heldUntil = 0;
      return false;
    }
    this.version = version + 1;
    this.heldUntil = expiresAtMs;
    return true;
  }

  /** Renews when less than two thirds of the time is left; false when the lease is lost. */
  async keep(): Promise<boolean> {
    if (this.clock.now() < this.heldUntil - (2 * this.ttlMs) / 3) return true;
    return this.acquire();
  }

  /** Lets another process take over at once (a clean shutdown). */
  async release(): Promise<void> {
    if (this.heldUntil === 0) return;
    this.heldUntil = 0;
    await putEngineLease(
      this.store.state,
      { holder: this.holder, expiresAtMs: 0 },
      this.version,
      this.id,
    );
  }
}
