import type { CommittedEntry } from '../../log/sequencer.js';
import type { ObservedEntry } from '../types.js';

/**
 * Entries this process just committed, as the sequencer inserted them, so the engine
 * evaluates them without reading them back from the store. Best effort: entries other
 * processes append, or that fell out of the window, are read from the store as usual.
 * The rows are kept as they are (canonical text, no record object) and each is parsed when
 * the engine takes it: under load entries wait here a while, and a parsed record is a dozen
 * objects per entry for the garbage collector to promote and mark, the text one string.
 */
export class RecentEntries {
  /** Seq of entries[0]; entries are contiguous. */
  private start = 0;
  private entries: CommittedEntry[] = [];

  constructor(private readonly capacity = 100_000) {}

  add(committed: readonly CommittedEntry[]): void {
    const first = committed[0];
    if (!first) return;
    if (first.seq !== this.start + this.entries.length) {
      // A gap (another appender, a batch we did not see): start over from here.
      this.start = first.seq;
      this.entries = [];
    }
    for (const c of committed) this.entries.push(c);
    const over = this.entries.length - this.capacity;
    if (over > 0) this.drop(over);
  }

  /** Entries [from, to) when all of them are here, else undefined. */
  take(from: number, to: number): ObservedEntry[] | undefined {
    if (from < this.start || to > this.start + this.entries.length) return undefined;
    const page: ObservedEntry[] = new Array(to - from);
    for (let i = 0; i < page.length; i++) {
      const c = this.entries[from - this.start + i]!;
      const record = JSON.parse(c.record) as Record<string, unknown>;
      page[i] = {
        seq: c.seq,
        source: c.source,
        record,
        timeMs: c.timeMs,
        receivedAtMs: c.receivedAtMs,
        historical: record.historical === true,
      };
    }
    return page;
  }

  /** Forgets entries below `seq` (the engine has passed them). */
  dropBefore(seq: number): void {
    const n = Math.min(seq - this.start, this.entries.length);
    if (n > 0) this.drop(n);
  }

  private drop(n: number): void {
    this.entries = this.entries.slice(n);
    this.start += n;
  }
}
