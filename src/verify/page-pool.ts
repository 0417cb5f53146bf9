import type { Worker } from 'node:worker_threads';
import { ApiError } from '../client/api-client.js';
import type { LogKeyPeriod } from '../core/key-history.js';
import type { StoreLocation } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { startWorker } from '../util/start-worker.js';
import type { CheckpointRow } from './checkpoint-check.js';
import type { EntryPage } from './entry-page.js';
import type { RemotePage } from './remote-page.js';
import type { Problem } from './report.js';

/** Where `verify --url` worker threads fetch pages: the server and the token to ask with. */
export interface RemoteConnection {
  baseUrl: string;
  token: string;
}

/** An error a worker thread met checking a page, with the store's code (e.g. SQLITE_CORRUPT). */
export class PageWorkerError extends Error {
  override readonly name = 'PageWorkerError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Waiting {
  resolve: (answer: unknown) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  waiting: Map<number, Waiting>;
  /** Why the thread stopped, once it has. */
  dead?: string;
}

type Reply<P> =
  | { id: number; ok: true; page: P }
  | {
      id: number;
      ok: false;
      /** `status` (and `path`, `reason`) when the server refused a request of the worker. */
      error: { message: string; code?: string; status?: number; path?: string; reason?: string };
    };

/** How long a worker may take to close its store before it is terminated. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Worker threads that check entry pages in parallel: page-worker.ts, each through its own
 * read-only handle on the store at `location` (`verify --data`, `--db`, `migrate`), or
 * remote-page-worker.ts, each fetching its pages from the server (`verify --url`). A page
 * goes to the thread with the fewest pages waiting; callers consume results in seq order, so
 * a slow thread only delays.
 */
export class PagePool<P = EntryPage> {
  private readonly threads: Thread[];
  private nextId = 1;

  private constructor(script: URL, workerData: unknown, count: number) {
    this.threads = Array.from({ length: count }, () => this.spawn(script, workerData));
  }

  static start(location: StoreLocation, count: number): PagePool<EntryPage> {
    return new PagePool<EntryPage>(
      new URL('./page-worker.js', import.meta.url),
      { location },
      count,
    );
  }

  /** `watched`: seqs whose records the in-order checks need (remote-page.ts). */
  static startRemote(
    connection: RemoteConnection,
    watched: readonly number[],
    count: number,
  ): PagePool<RemotePage> {
    return new PagePool<RemotePage>(
      new URL('./remote-page-worker.js', import.meta.url),
      { connection, watched },
      count,
    );
  }

  check(from: number, to: number): Promise<P> {
    return this.send<P>({ op: 'check', from, to });
  }

  /** Threads in the pool. */
  get size(): number {
    return this.threads.length;
  }

  /** store.counts() through a thread's handle (page-worker.ts only): two table scans. */
  counts(): ReturnType<Store['counts']> {
    return this.send({ op: 'counts' });
  }

  /** Verifies a slice of signed checkpoints on a thread (page-worker.ts only). */
  checkCheckpoints(
    rows: readonly CheckpointRow[],
    history: readonly LogKeyPeriod[],
  ): Promise<{ index: number; problem: Problem } | null> {
    return this.send({ op: 'checkpoints', rows, history });
  }

  /** Sends a request to the thread with the fewest waiting; resolves with its answer. */
  private send<R>(request: Record<string, unknown>): Promise<R> {
    let thread = this.threads[0]!;
    for (const t of this.threads) if (t.waiting.size < thread.waiting.size) thread = t;
    if (thread.dead !== undefined) {
      return Promise.reject(
        new PageWorkerError(`a verify thread stopped: ${thread.dead}`, undefined),
      );
    }
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      thread.waiting.set(id, { resolve: resolve as (answer: unknown) => void, reject });
      thread.worker.postMessage({ ...request, id });
    });
  }

  /** Closes every thread's store and waits for the threads to end. */
  async close(): Promise<void> {
    await Promise.all(
      this.threads.map(async ({ worker, dead }) => {
        if (dead !== undefined) return;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        const timer = setTimeout(() => void worker.terminate(), CLOSE_TIMEOUT_MS);
        worker.postMessage({ op: 'close' });
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(script: URL, workerData: unknown): Thread {
    const worker = startWorker(script, workerData);
    const thread: Thread = { worker, waiting: new Map() };
    worker.on('message', (reply: Reply<P>) => {
      const waiting = thread.waiting.get(reply.id);
      if (!waiting) return;
      thread.waiting.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.page);
      else waiting.reject(replyError(reply.error));
    });
    const stopped = (reason: string) => {
      thread.dead ??= reason;
      for (const w of thread.waiting.values())
        w.reject(new PageWorkerError(`a verify thread stopped: ${reason}`, undefined));
      thread.waiting.clear();
    };
    worker.on('error', (error) => stopped(error.message));
    worker.on('exit', (code) => stopped(`exit code ${code}`));
    return thread;
  }
}

function replyError(error: Extract<Reply<unknown>, { ok: false }>['error']): Error {
  if (error.status === undefined) return new PageWorkerError(error.message, error.code);
  return new ApiError(error.status, error.code ?? 'error', error.message, error.path, error.reason);
}
