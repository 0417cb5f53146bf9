import type { Worker } from 'node:worker_threads';
import type { StoreLocation } from '../store/open-store.js';
import { startWorker } from '../store/sqlite/writer-client.js';
import type { EntryPage } from './entry-page.js';

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
  resolve: (page: EntryPage) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  waiting: Map<number, Waiting>;
  /** Why the thread stopped, once it has. */
  dead?: string;
}

type Reply =
  | { id: number; ok: true; page: EntryPage }
  | { id: number; ok: false; error: { message: string; code?: string } };

/** How long a worker may take to close its store before it is terminated. */
const CLOSE_TIMEOUT_MS = 5000;

/**
 * Worker threads (page-worker.ts) that check entry pages in parallel, each through its own
 * read-only handle on the store at `location`. A page goes to the thread with the fewest
 * pages waiting; callers consume results in seq order, so a slow thread only delays.
 */
export class PagePool {
  private readonly threads: Thread[];
  private nextId = 1;

  private constructor(location: StoreLocation, count: number) {
    this.threads = Array.from({ length: count }, () => this.spawn(location));
  }

  static start(location: StoreLocation, count: number): PagePool {
    return new PagePool(location, count);
  }

  check(from: number, to: number): Promise<EntryPage> {
    let thread = this.threads[0]!;
    for (const t of this.threads) if (t.waiting.size < thread.waiting.size) thread = t;
    if (thread.dead !== undefined) {
      return Promise.reject(
        new PageWorkerError(`a verify thread stopped: ${thread.dead}`, undefined),
      );
    }
    const id = this.nextId++;
    return new Promise<EntryPage>((resolve, reject) => {
      thread.waiting.set(id, { resolve, reject });
      thread.worker.postMessage({ op: 'check', id, from, to });
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

  private spawn(location: StoreLocation): Thread {
    const worker = startWorker(new URL('./page-worker.js', import.meta.url), { location });
    const thread: Thread = { worker, waiting: new Map() };
    worker.on('message', (reply: Reply) => {
      const waiting = thread.waiting.get(reply.id);
      if (!waiting) return;
      thread.waiting.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.page);
      else waiting.reject(new PageWorkerError(reply.error.message, reply.error.code));
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
