import { appendFileSync, createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { PurgedRow } from './purge-check.js';

/** Rows kept in memory before the ledger spills them to its temp file. */
export const DEFAULT_PURGED_IN_MEMORY = 10_000;

/**
 * The purged entries verify meets while it proves the tree, kept for the explanation check
 * that can only run once every retention event is proven too. A log may hold millions of
 * them, so at most `inMemory` rows stay in memory: each time the buffer fills it is appended
 * to a temp file (one JSON line per row, owner-only folder), and `rows()` streams the file
 * back, then the buffer, in the order the rows were added (seq order).
 */
export class PurgedLedger {
  private buffer: PurgedRow[] = [];
  private spillDir: string | undefined;
  private spilledRows = 0;
  private peak = 0;

  constructor(private readonly inMemory: number = DEFAULT_PURGED_IN_MEMORY) {
    if (!Number.isInteger(inMemory) || inMemory < 1)
      throw new Error(`a purged-row buffer holds at least one row, not ${inMemory}`);
  }

  add(row: PurgedRow): void {
    this.buffer.push(row);
    if (this.buffer.length > this.peak) this.peak = this.buffer.length;
    if (this.buffer.length >= this.inMemory) this.spill();
  }

  /** Rows added so far. */
  get count(): number {
    return this.spilledRows + this.buffer.length;
  }

  /** The most rows ever held in memory at once (never above the bound). */
  get peakInMemory(): number {
    return this.peak;
  }

  get spilled(): number {
    return this.spilledRows;
  }

  async *rows(): AsyncGenerator<PurgedRow> {
    if (this.spillDir !== undefined) {
      const lines = createInterface({
        input: createReadStream(this.file(), { encoding: 'utf8' }),
        crlfDelay: Number.POSITIVE_INFINITY,
      });
      for await (const line of lines) if (line !== '') yield JSON.parse(line) as PurgedRow;
    }
    yield* this.buffer;
  }

  /** Removes the temp file, if one was written. */
  close(): void {
    if (this.spillDir !== undefined) rmSync(this.spillDir, { recursive: true, force: true });
    this.spillDir = undefined;
  }

  private spill(): void {
    this.spillDir ??= mkdtempSync(join(tmpdir(), 'evident-verify-purged-'));
    let text = '';
    for (const row of this.buffer) text += `${JSON.stringify(row)}\n`;
    appendFileSync(this.file(), text, { mode: 0o600 });
    this.spilledRows += this.buffer.length;
    this.buffer = [];
  }

  private file(): string {
    return join(this.spillDir!, 'purged.ndjson');
  }
}
