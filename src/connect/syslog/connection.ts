import type { SubmittedRecord } from '../../core/record/types.js';
import { type LineContext, lineToRecord, rawRecord } from '../line-record.js';
import type { LineMapper } from '../log-line.js';
import { SyslogFramer } from './framer.js';
import { parseSyslogMessage } from './parse-message.js';

/** The socket as a connection sees it (so tests can drive a connection without one). */
export interface FlowControl {
  pause(): void;
  resume(): void;
}

export interface ConnectionOptions {
  mappers: readonly LineMapper[];
  source: string;
  peerIp: string | undefined;
  now: () => number;
  /** The shared append (the same sequencer as POST /api/v1/events); resolves once committed. */
  append: (records: SubmittedRecord[]) => Promise<unknown>;
  /** Records read but not yet committed at which the socket is paused. */
  highWater: number;
  /** Largest single append. */
  maxBatch: number;
  /**
   * Appends a connection may have outstanding: 2 lets the sequencer plan one batch while the
   * other commits (its pipelining) even with a single sender.
   */
  maxInFlight: number;
  /** Wait before retrying an append the store refused (it stays paused meanwhile). */
  retryDelayMs: number;
  onError: (error: unknown) => void;
}

/**
 * One syslog stream: frames → messages → records → appends. Nothing is read past
 * `highWater` uncommitted records: the socket is paused until commits catch up, so a slow
 * store slows the sender (TCP backpressure) instead of growing memory or dropping lines.
 * A failed append is retried with the same records until it commits or the listener stops.
 */
export class SyslogConnection {
  private readonly framer = new SyslogFramer();
  private queued: SubmittedRecord[] = [];
  /** Records in appends not yet answered. */
  private inFlight = 0;
  private batchesInFlight = 0;
  private paused = false;
  private scheduled = false;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  committed = 0;

  constructor(
    private readonly flow: FlowControl,
    private readonly options: ConnectionOptions,
  ) {}

  /** Bytes from the socket. */
  push(chunk: Buffer): void {
    for (const frame of this.framer.push(chunk)) this.accept(frame.bytes, frame.truncated);
    this.afterRead();
  }

  /** The peer closed: a last unterminated line still counts. */
  end(): void {
    for (const frame of this.framer.end()) this.accept(frame.bytes, frame.truncated);
    this.afterRead();
  }

  /** Resolves when every record read so far is committed. */
  idle(): Promise<void> {
    if (this.queued.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops retrying (the listener is closing or its key was revoked). */
  stop(): void {
    this.stopped = true;
  }

  get pending(): number {
    return this.queued.length + this.inFlight;
  }

  private accept(bytes: Buffer, truncated: boolean): void {
    const text = bytes.toString('utf8');
    const ctx: LineContext = {
      receivedAtMs: this.options.now(),
      boundSource: this.options.source,
      rawAction: 'syslog.raw',
      ...(this.options.peerIp ? { peerIp: this.options.peerIp } : {}),
    };
    if (truncated) {
      this.queued.push(rawRecord(text, 'message longer than the frame limit', ctx, true));
      return;
    }
    const parsed = parseSyslogMessage(text, ctx.receivedAtMs);
    this.queued.push(
      parsed.ok
        ? lineToRecord(parsed.message, this.options.mappers, ctx)
        : rawRecord(text, parsed.error, ctx),
    );
  }

  private afterRead(): void {
    if (!this.paused && this.pending >= this.options.highWater) {
      this.paused = true;
      this.flow.pause();
    }
    this.schedule();
  }

  private schedule(): void {
    if (
      this.scheduled ||
      this.batchesInFlight >= this.options.maxInFlight ||
      this.queued.length === 0
    )
      return;
    this.scheduled = true;
    // Let the rest of this read's lines join the batch before it goes out.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queued.splice(0, this.options.maxBatch);
    if (batch.length === 0) return;
    this.inFlight += batch.length;
    this.batchesInFlight++;
    // The next batch may go out while this one commits.
    this.schedule();
    for (;;) {
      try {
        await this.options.append(batch);
        this.committed += batch.length;
        break;
      } catch (error) {
        this.options.onError(error);
        if (this.stopped) break;
        await new Promise((resolve) => setTimeout(resolve, this.options.retryDelayMs));
        if (this.stopped) break;
      }
    }
    this.inFlight -= batch.length;
    this.batchesInFlight--;
    if (this.paused && this.pending < this.options.highWater / 2) {
      this.paused = false;
      this.flow.resume();
    }
    if (this.queued.length > 0 && !this.stopped) {
      this.schedule();
    }
    if ((this.queued.length === 0 && this.inFlight === 0) || this.stopped) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}
