/** A batch handed to the store: how many events, and when the writer started on it. */
export interface BatchTiming {
  events: number;
  /** performance.now() when the append lock was taken; undefined while it waits for it. */
  writerStartMs: number | undefined;
}

/** How much a new measurement moves an estimate (exponential moving average). */
const WEIGHT = 0.25;
/** Start planning this much before the writer is expected to be free (event-loop jitter). */
const MARGIN_MS = 1;
/** Never hold the next batch back longer than this, whatever the estimate says. */
const MAX_LINGER_MS = 200;
/** Batches up to this size measure the writer's fixed cost per commit (lock, fsync, replies). */
const SMALL_BATCH = 8;

/**
 * When to take the next group commit while one is on the writer. Taken at once, the next
 * batch holds whatever arrived in the last moment (under load a request or two) and then
 * waits behind the writer anyway; requests answered meanwhile come back into the batch after
 * it, so groups stay small and every commit rewrites the same random index pages for a few
 * rows. Taken just before the writer is expected to be free, it gathers everything that
 * arrived during the commit and is still planned in time: larger groups at no extra wait.
 * The estimate is a fixed cost per commit plus writer time per event (measured, moving
 * averages: small batches measure the first, larger ones the second); a batch that finishes
 * sooner releases the wait at once (the sequencer does that), one that runs longer costs
 * only the planning overlap.
 */
export class CommitPacer {
  private commitMs: number | undefined;
  private writerMsPerEvent: number | undefined;
  private planMsPerEvent: number | undefined;

  /** The writer took `ms` (lock to durable commit) for a batch of `events`. */
  committed(events: number, ms: number): void {
    if (events <= 0 || !(ms >= 0)) return;
    if (events <= SMALL_BATCH) this.commitMs = blend(this.commitMs, ms);
    else
      this.writerMsPerEvent = blend(
        this.writerMsPerEvent,
        Math.max(0, ms - (this.commitMs ?? 0)) / events,
      );
  }

  /** Planning a batch of `events` took `ms` on this thread. */
  planned(events: number, ms: number): void {
    if (events <= 0 || !(ms >= 0)) return;
    this.planMsPerEvent = blend(this.planMsPerEvent, ms / events);
  }

  /** How long to wait before taking `queuedEvents` while `writing` commits (0: now). */
  lingerMs(writing: BatchTiming | undefined, queuedEvents: number, nowMs: number): number {
    if (!writing || this.writerMsPerEvent === undefined) return 0;
    const started = writing.writerStartMs ?? nowMs;
    const freeAt = started + (this.commitMs ?? 0) + this.writerMsPerEvent * writing.events;
    const planning = (this.planMsPerEvent ?? 0) * queuedEvents + MARGIN_MS;
    const wait = freeAt - nowMs - planning;
    return wait < 1 ? 0 : Math.min(wait, MAX_LINGER_MS);
  }
}

function blend(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + WEIGHT * (sample - previous);
}
