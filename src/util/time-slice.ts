import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Long work on the event loop, cut into slices with a turn of the loop in between, so that
 * requests arriving meanwhile wait for at most one slice:
 *
 *   const slice = new TimeSlice(3);
 *   for (const item of items) { work(item); if (slice.spent()) await slice.next(); }
 *
 * `spent()` is cheap enough to call per item: it reads the clock only every `checkEvery`
 * calls (a clock read costs about as much as a small item).
 */
export class TimeSlice {
  private deadline: number;
  private calls = 0;

  constructor(
    private readonly sliceMs: number,
    private readonly checkEvery = 32,
  ) {
    this.deadline = performance.now() + sliceMs;
  }

  /** True once the slice's time is up (looked at every `checkEvery` calls). */
  spent(): boolean {
    if (++this.calls < this.checkEvery) return false;
    this.calls = 0;
    return performance.now() >= this.deadline;
  }

  /**
   * Gives the event loop a turn (setImmediate: after the I/O that came in meanwhile), then
   * starts the next slice.
   */
  async next(): Promise<void> {
    await nextTurn();
    this.calls = 0;
    this.deadline = performance.now() + this.sliceMs;
  }
}
