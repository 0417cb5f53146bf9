/**
 * `evident forward`: follows the event stream and hands it to a receiver with at-least-once
 * delivery. The cursor file moves only after the receiver acknowledged a batch, and every
 * (re)connection resumes from it, so no seq is ever skipped; a batch whose acknowledgement
 * was lost (a crash, a dropped connection) is sent again, the only source of duplicates.
 */
import type { StreamFormat } from '../siem/stream-format.js';
import { readCursor, writeCursor } from './cursor-file.js';
import type { Sink } from './sinks.js';
import { CHUNK_END, type StreamedLine, streamLines } from './stream-lines.js';

export interface ForwardOptions {
  url: string;
  token: string;
  format: StreamFormat;
  cursorPath: string;
  sink: Sink;
  /** Entries per delivery at most (default 500). */
  batchSize?: number;
  /** Stops the forwarder (SIGTERM); the cursor keeps the last acknowledged seq. */
  signal: AbortSignal;
  retryBaseMs?: number;
  retryMaxMs?: number;
  log?: (message: string) => void;
}

/** Errors that retrying cannot fix: a bad token, a missing permission, bad parameters. */
function isFatal(error: unknown): boolean {
  const status = (error as { status?: number }).status;
  return status !== undefined && status >= 400 && status < 500 && status !== 429;
}

export async function forward(o: ForwardOptions): Promise<void> {
  const batchSize = o.batchSize ?? 500;
  const base = o.retryBaseMs ?? 250;
  const max = o.retryMaxMs ?? 30_000;
  const log = o.log ?? (() => {});
  let after = readCursor(o.cursorPath);
  let failures = 0;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      o.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });

  const deliver = async (batch: StreamedLine[]) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await o.sink.deliver(batch);
        break;
      } catch (error) {
        if (o.signal.aborted) throw error;
        log(`delivery failed (${(error as Error).message}); retrying`);
        await pause(Math.min(max, base * 2 ** Math.min(attempt, 16)));
      }
    }
    after = batch[batch.length - 1]!.seq;
    writeCursor(o.cursorPath, after);
  };

  while (!o.signal.aborted) {
    log(
      `following ${o.url} from ${after === undefined ? 'the first entry' : `after seq ${after}`}`,
    );
    let batch: StreamedLine[] = [];
    try {
      for await (const item of streamLines({ ...o, after, signal: o.signal })) {
        if (item !== CHUNK_END) batch.push(item);
        if (batch.length >= batchSize || (item === CHUNK_END && batch.length > 0)) {
          await deliver(batch);
          batch = [];
          failures = 0;
        }
      }
      if (batch.length > 0) await deliver(batch);
      // The server ended the stream (it shut down): reconnect from the cursor.
      log('the stream ended; reconnecting');
    } catch (error) {
      if (o.signal.aborted) break;
      if (isFatal(error)) throw error;
      log(`stream failed (${(error as Error).message}); reconnecting`);
    }
    failures++;
    await pause(Math.min(max, base * 2 ** Math.min(failures, 16)));
  }
}
