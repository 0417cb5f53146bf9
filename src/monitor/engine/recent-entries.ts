import type { CommittedEntry } from '../../log/sequencer.js';

/**
 * Entries this process just committed, as the sequencer inserted them, so the engine
 * evaluates them without reading them back from the store. Best effort: entries other
 * processes append, or that fell out of the window, are read from the store as usual.
 * The rows are kept as they are (canonical text, no record object): under load entries wait
 * here a while, and a parsed record is a dozen objects per entry for the garbage collector
 * to promote and mark, the text one string. The evaluator thread parses them.
 * A ring of fixed size: dropping the oldest copies nothing (copying the remaining slots on
 * every group commit once full was a large array per commit for the collector). The engine
 * drops entries as it posts them to its evaluator thread, so the ring holds its backlog: at
 * 100,000 entries that was about 10 MB more of the server's memory while ingesting, for an
 * engine that keeps up within about half a second of the log.
 */
export class RecentEntries {
  private readonly ring: (CommittedEntry | undefined)[];
  /** Seq of the oldest entry held; entries are contiguous. */
  private start = 0;
  /** Ring slot of the oldest entry held. */
  private head = 0;
  private length = 0;

  constructor(private readonly capacity = 25_000) {
    this.ring = new Array(capacity).fill(undefined);
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
      this.ring[(this.head + this.length) % this.capacity] = c;
      this.length++;
    }
  }

  /** Entries [from, to) when all of them are here, else undefined. */
  rows(from: number, to: number): CommittedEntry[] | undefined {
    if (from < this.start || to > this.start + this.length) return undefined;
    const rows: CommittedEntry[] = new Array(to - from);
    for (let i = 0; i < rows.length; i++) {
      rows[i] = this.ring[(this.head + from - this.start + i) % this.capacity]!;
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
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
    }
    this.start += n;
    this.length -= n;
  }
}
