/**
 * A verify worker thread: opens its own read-only handle on the store, so reading rows is
 * spread over the cores with the checks, and checks the pages it is sent (entry-page.ts), one
 * at a time, and the slices of signed checkpoints it is sent (checkpoint-check.ts).
 * and the store's row counts. Protocol: { op: 'check', id, from, to }, { op: 'checkpoints',
 * id, rows, history } or { op: 'counts', id } in,
 * { id, ok, page | error } out, a page's arrays transferred, not copied; { op: 'close' }
 * closes the store and ends the thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LogKeyPeriod } from '../core/key-history.js';
import { openStore, type StoreLocation } from '../store/open-store.js';
import { type CheckpointRow, firstCheckpointProblem } from './checkpoint-check.js';
import { checkEntryPage, type EntryPage } from './entry-page.js';

type Request =
  | { op: 'check'; id: number; from: number; to: number }
  | { op: 'checkpoints'; id: number; rows: CheckpointRow[]; history: LogKeyPeriod[] }
  | { op: 'counts'; id: number }
  | { op: 'close' };

const port = parentPort!;
const { location } = workerData as { location: StoreLocation };
const opened = openStore(location, { readonly: true });
// A failed open is reported to every request; do not let it go unhandled before the first.
opened.catch(() => undefined);
let queue: Promise<void> = Promise.resolve();

port.on('message', (request: Request) => {
  // Checkpoint slices need no store, so they wait in no queue.
  if (request.op === 'checkpoints') {
    reply(request.id, () => firstCheckpointProblem(request.rows, request.history) ?? null);
    return;
  }
  queue = queue.then(() => {
    if (request.op === 'close') return close();
    if (request.op === 'counts') return reply(request.id, async () => (await opened).counts());
    return check(request);
  });
});

async function check(request: { id: number; from: number; to: number }): Promise<void> {
  await reply(request.id, async () => checkEntryPage(await opened, request.from, request.to));
}

async function reply(id: number, answer: () => unknown): Promise<void> {
  try {
    const page = await answer();
    port.postMessage({ id, ok: true, page }, isEntryPage(page) ? transferList(page) : []);
  } catch (error) {
    const e = error as { message?: string; code?: unknown };
    port.postMessage({
      id,
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

function isEntryPage(value: unknown): value is EntryPage {
  return typeof value === 'object' && value !== null && 'levels' in value;
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
