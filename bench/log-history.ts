import type { SubmittedRecord } from '../src/core/record/types.js';
import { validateSubmittedRecord } from '../src/core/record/validate.js';
import type { Clock } from '../src/util/clock.js';
import { EventFactory, IdSource } from './fixtures.js';

/** The sources that write the pre-filled history (one per append, in turn). */
export const HISTORY_SOURCES = ['billing-api', 'crm', 'auth-service', 'docs-portal'];
const DAY_MS = 86_400_000;

/**
 * A month of history, generated in chunks: the fill (through the sequencer) and the raw
 * SQLite limit draw the same events. Server time is simulated: it moves evenly across the
 * 30 days that end an hour before the run, so time-range searches have something to cut.
 */
export class LogHistory implements Clock {
  readonly startMs: number;
  readonly endMs: number;
  private readonly factory = new EventFactory(1234);
  private readonly ids = new IdSource(99);
  private done = 0;

  constructor(
    readonly total: number,
    realNowMs = Date.now(),
  ) {
    this.endMs = realNowMs - 3_600_000;
    this.startMs = this.endMs - 30 * DAY_MS;
  }

  /** The simulated server clock: where the history stands after `done` events. */
  now(): number {
    return Math.floor(this.startMs + (this.done / this.total) * (this.endMs - this.startMs));
  }

  /** The next `count` events, validated as the ingest path validates them. */
  next(count: number, source: string): SubmittedRecord[] {
    const receivedMs = this.now();
    const out: SubmittedRecord[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const event = this.factory.event(receivedMs - this.factory.int(2000));
      event.id = this.ids.next(receivedMs);
      out[i] = validateSubmittedRecord(event, '$', { boundSource: source });
    }
    this.done += count;
    return out;
  }
}
