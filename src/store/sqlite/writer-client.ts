import type { ResourceLimits, Worker } from 'node:worker_threads';
import { startWorker } from '../../util/start-worker.js';

interface Waiting {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/** A database error raised on the writer thread, with SQLite's code (e.g. SQLITE_CONSTRAINT_UNIQUE). */
export class WriterError extends Error {
  override readonly name = 'WriterError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/**
 * The writer thread's young generation. Each worker is a V8 isolate with its own heap, and
 * V8 sizes its young generation for the machine (the writer's new space measured 8–17 MB
 * while ingesting); what the writer allocates per message (a transferred batch, a few rows)
 * dies young in far less, and the rest is resident memory of the server (docs/operations.md).
 */
const WRITER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };

/**
 * The main thread's handle on writer-thread.ts: request/response over postMessage. If the
 * thread dies, every waiting call fails (its transaction is rolled back by SQLite when the
 * connection goes away) and the next call starts a fresh thread.
 */
export class WriterClient {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  /** While closing, the thread stays referenced until it has exited. */
  private closing = false;

  constructor(
    private readonly file: string,
    private readonly cacheKiB: number,
  ) {}

  call<T>(op: string, ...args: unknown[]): Promise<T> {
    return this.callTransferring<T>(op, args, []);
  }

  /** As call, handing over `transfer`'s buffers instead of copying them (they are detached here). */
  callTransferring<T>(op: string, args: unknown[], transfer: ArrayBuffer[]): Promise<T> {
    const worker = this.worker ?? this.spawn();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (value: unknown) => void, reject });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({ id, op, args }, transfer);
    });
  }

  async close(): Promise<void> {
    if (!this.worker) return;
    const worker = this.worker;
    this.closing = true;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await this.call('close');
    await exited;
  }

  private spawn(): Worker {
    const worker = startWorker(
      new URL('./writer-thread.js', import.meta.url),
      { file: this.file, cacheKiB: this.cacheKiB },
      WRITER_LIMITS,
    );
    worker.unref();
    worker.on(
      'message',
      (message: {
        id: number;
        ok: boolean;
        value?: unknown;
        error?: { message: string; code?: string };
      }) => {
        const waiting = this.waiting.get(message.id);
        if (!waiting) return;
        this.waiting.delete(message.id);
        if (this.waiting.size === 0 && !this.closing) worker.unref();
        if (message.ok) waiting.resolve(message.value);
        else waiting.reject(new WriterError(message.error!.message, message.error!.code));
      },
    );
    const fail = (reason: string) => {
      if (this.worker === worker) this.worker = undefined;
      for (const w of this.waiting.values())
        w.reject(new WriterError(`the SQLite writer thread stopped: ${reason}`, undefined));
      this.waiting.clear();
    };
    worker.on('error', (error) => fail(error.message));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    this.worker = worker;
    return worker;
  }
}
