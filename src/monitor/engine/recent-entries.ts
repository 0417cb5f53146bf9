import type { CommittedEntry } from '../../log/sequencer.js';

/** What the engine reads of an entry: its place, its source and its canonical text. */
export type RecentEntry = Pick<CommittedEntry, 'seq' | 'source' | 'record'>;

/**
 * Entries this process just committed, as the sequencer inserted them, so the engine
 * evaluates them without reading them back from the store. Best effort: entries other
 * processes append, or that fell out of the window, are read from the store as usual.
 * Only the two strings the engine reads are kept (canonical text, source; the seq follows
 * from the slot), never the inserted row: under load entries wait here a while (about
 * 12,000 behind arrays of 500), and a row keeps its ids, its leaf hash's view and two boxed
 * numbers alive with it, each promoted to the old generation and marked there; a parsed
 * record would be a dozen objects more. The evaluator thread parses the text.
 * A ring of fixed size: dropping the oldest copies nothing (copying the remaining slots on
 * every group commit once full was a large array per commit for the collector). The engine
 * drops entries as it posts them to its evaluator thread, so the ring holds its backlog: at
 * 100,000 entries that was about 10 MB more of the server's memory while ingesting, for an
 * engine that keeps up within about half a second of the log.
 */
export class RecentEntries {
  private readonly records: (string | undefined)[];
  private readonly sources: (string | undefined)[];
  /** Seq of the oldest entry held; entries are contiguous. */
  private start = 0;
  /** Ring slot of the oldest entry held. */
  private head = 0;
  private length = 0;

  constructor(private readonly capacity = 25_000) {
    this.records = new Array(capacity).fill(undefined);
    this.sources = new Array(capacity).fill(undefined);
  }

  add(committed: readonly CommittedEntry[]): void {
    const first = committed[0];
    if (!first) return;
    if (first.seq !== this.start + this.length) {
      // A gap (another appender, a batch we did not see): start over from here.
      this.drop(this.length);
      this.start = first.seq;
    }
    for (const c of committed) {
      if (this.length === this.capacity) this.drop(1);
      const slot = (this.head + this.length) % this.capacity;
      this.records[slot] = c.record;
      this.sources[slot] = c.source;
      this.length++;
    }
  }

  /** Entries [from, to) when all of them are here, else undefined. */
  rows(from: number, to: number): RecentEntry[] | undefined {
    if (from < this.start || to > this.start + this.length) return undefined;
    const rows: RecentEntry[] = new Array(to - from);
    for (let i = 0; i < rows.length; i++) {
      const slot = (this.head + from - this.start + i) % this.capacity;
      rows[i] = { seq: from + i, source: this.sources[slot]!, record: this.records[slot]! };
    }
    return rows;
  }

  /** Forgets entries below `seq` (the engine has passed them). */
  dropBefore(seq: number): void {
    this.drop(Math.min(seq - this.start, this.length));
  }

  /** Forgets the `n` oldest, clearing their slots so the collector can take them. */
  private drop(n: number): void {
    if (n <= 0) return;
    for (let i = 0; i < n; i++) {
      this.records[this.head] = undefined;
      this.sources[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.start += n;
    this.length -= n;
  }
}
