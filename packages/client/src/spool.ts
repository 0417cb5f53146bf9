/**
 * The disk spool: an append-only NDJSON file of `{"add": record}` and `{"done": [ids]}`
 * lines, fsynced once per write batch, so events an application queued survive its crash
 * and are replayed (with their ids, so never stored twice) when it starts again.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { EvidentClientError } from './errors.js';
import type { OutgoingRecord } from './record.js';

export class Spool {
  private fd: number;
  private pending: string[] = [];
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private scheduled = false;

  private constructor(
    readonly path: string,
    fd: number,
    /** Records queued but not yet stored when the file was opened. */
    readonly unsent: OutgoingRecord[],
  ) {
    this.fd = fd;
  }

  /**
   * Opens (or creates) the spool and compacts it: the records still owed are rewritten to a
   * fresh file, which atomically replaces the old one, so the file does not grow forever.
   * A torn last line (a crash mid-write) is ignored: its write was never acknowledged.
   */
  static open(path: string): Spool {
    const unsent = existsSync(path) ? readUnsent(path) : [];
    const fresh = `${path}.compact`;
    const fd = openSync(fresh, 'w');
    if (unsent.length > 0)
      writeSync(fd, unsent.map((r) => `${JSON.stringify({ add: r })}\n`).join(''));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(fresh, path);
    return new Spool(path, openSync(path, 'a'), unsent);
  }

  /** Durably records that these events are queued; resolves after the fsync. */
  add(records: readonly OutgoingRecord[]): Promise<void> {
    return this.write(records.map((r) => JSON.stringify({ add: r })));
  }

  /** Records that these ids are settled (stored, or refused by the server). */
  done(ids: readonly string[]): Promise<void> {
    return ids.length === 0 ? Promise.resolve() : this.write([JSON.stringify({ done: ids })]);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Lines written in the same tick share one write and one fsync. */
  private write(lines: string[]): Promise<void> {
    this.pending.push(...lines);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.commit());
    }
    return done;
  }

  private commit(): void {
    const lines = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    this.scheduled = false;
    try {
      writeSync(this.fd, `${lines.join('\n')}\n`);
      fsyncSync(this.fd);
      for (const w of waiters) w.resolve();
    } catch (error) {
      for (const w of waiters) w.reject(error);
    }
  }
}

function readUnsent(path: string): OutgoingRecord[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const added = new Map<string, OutgoingRecord>();
  lines.forEach((line, i) => {
    if (line === '') return;
    let entry: { add?: OutgoingRecord; done?: string[] };
    try {
      entry = JSON.parse(line);
    } catch (cause) {
      if (i === lines.length - 1) return; // torn tail of a crash: never acknowledged
      throw new EvidentClientError('spool_corrupt', `spool ${path} line ${i + 1} is not JSON`, {
        cause,
      });
    }
    if (entry.add) added.set(entry.add.id, entry.add);
    for (const id of entry.done ?? []) added.delete(id);
  });
  return [...added.values()];
}
