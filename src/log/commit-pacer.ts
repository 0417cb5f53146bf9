/** A batch handed to the store: how many events, and when the writer started on it. */
export interface BatchTiming {
  events: number;
  /** performance.now() when the append lock was taken; undefined while it waits for it. */
  writerStartMs: number | undefined;
}

/** How much a new measurement moves an estimate (exponential moving average). */
const WEIGHT = 0.25;
/**
 * Start planning this much before the writer is expected to be free: a timer fires on a
 * whole millisecond at the earliest, and later while the event loop answers requests.
 */
const MARGIN_MS = 2;
/** A shorter wait is not worth a timer: it gathers next to nothing and may fire late. */
const MIN_LINGER_MS = 2;
/** Never hold the next batch back longer than this, whatever the estimate says. */
const MAX_LINGER_MS = 200;
/**
 * Batches up to this size measure the writer's fixed cost per commit (lock, fsync, replies).
 * While the batch on the writer is this small the load is light: the next batch goes at once.
 */
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
 *
 * Under light load it does not wait at all. When the batch on the writer holds a few events,
 * its commit is mostly the fixed cost (fsync), little arrives meanwhile, and a lingering batch
 * is planned only once the writer is free: the writer then idles through every plan (the
 * checkpoint signature) and the timer's lateness, and with commits that short that idle time
 * is a large share of the writer's capacity. At half load that turned into queueing and a
 * worse ack p99 than taking every batch at once; under heavy load groups are large and the
 * wait pays for itself.
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
    if (!writing || this.writerMsPerEvent === undefined || writing.events <= SMALL_BATCH) return 0;
    const started = writing.writerStartMs ?? nowMs;
    const freeAt = started + (this.commitMs ?? 0) + this.writerMsPerEvent * writing.events;
    const planning = (this.planMsPerEvent ?? 0) * queuedEvents + MARGIN_MS;
    const wait = freeAt - nowMs - planning;
    return wait < MIN_LINGER_MS ? 0 : Math.min(wait, MAX_LINGER_MS);
  }
}

function blend(previous: number | undefined, sample: number): number {
  return previous === undefined ? sample : previous + WEIGHT * (sample - previous);
}
