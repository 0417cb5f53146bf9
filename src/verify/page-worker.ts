/**
 * A verify worker thread: opens its own read-only handle on the store, so reading rows is
 * spread over the cores with the checks, and checks the pages it is sent (entry-page.ts), one
 * at a time. Protocol: { id, from, to } in, { id, ok, page | error } out, the page's arrays
 * transferred, not copied; { op: 'close' } closes the store and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openStore, type StoreLocation } from '../store/open-store.js';
import { checkEntryPage, type EntryPage } from './entry-page.js';

type Request = { op: 'check'; id: number; from: number; to: number } | { op: 'close' };

const port = parentPort!;
const { location } = workerData as { location: StoreLocation };
const opened = openStore(location, { readonly: true });
// A failed open is reported to every request; do not let it go unhandled before the first.
opened.catch(() => undefined);
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: Request) => {
  queue = queue.then(() => (request.op === 'close' ? close() : check(request)));
});

async function check(request: { id: number; from: number; to: number }): Promise<void> {
  try {
    const page = await checkEntryPage(await opened, request.from, request.to);
    port.postMessage({ id: request.id, ok: true, page }, transferList(page));
  } catch (error) {
    const e = error as { message?: string; code?: unknown };
    port.postMessage({
      id: request.id,
      ok: false,
      error: {
        message: e.message ?? String(error),
        code: typeof e.code === 'string' ? e.code : undefined,
      },
    });
  }
}

async function close(): Promise<void> {
  try {
    await (await opened).close();
  } catch {
    // Nothing to close, or nothing more to say: the verification result is already out.
  }
  port.close();
}

function transferList(page: EntryPage): ArrayBuffer[] {
  // A set: listing one buffer twice makes postMessage throw.
  const buffers = new Set<ArrayBuffer>();
  for (const level of page.levels) buffers.add(level.buffer as ArrayBuffer);
  for (const n of page.nodes) {
    buffers.add(n.indexes.buffer as ArrayBuffer);
    buffers.add(n.hashes.buffer as ArrayBuffer);
    buffers.add(n.whole.buffer as ArrayBuffer);
  }
  return [...buffers];
}
