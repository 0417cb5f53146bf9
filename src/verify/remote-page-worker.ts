/**
 * A `verify --url` worker thread: fetches the entry pages it is sent from the server's API
 * with its own client and checks them (remote-page.ts). Pages are fetched as soon as they are
 * asked for, so a thread keeps several requests in flight while it checks what came back.
 * Protocol: { op: 'check', id, from, to } in, { id, ok, page | error } out, the page's levels
 * transferred, not copied; { op: 'close' } ends the thread once its pages are answered.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ApiClient, ApiError } from '../client/api-client.js';
import type { RemoteConnection } from './page-pool.js';
import { checkRemotePage } from './remote-page.js';

type Request = { op: 'check'; id: number; from: number; to: number } | { op: 'close' };

const port = parentPort!;
const { connection, watched } = workerData as {
  connection: RemoteConnection;
  watched: number[];
};
const client = new ApiClient({ baseUrl: connection.baseUrl, token: connection.token });
const watchedSeqs = new Set(watched);
const inFlight = new Set<Promise<void>>();

port.on('message', (request: Request) => {
  if (request.op === 'close') {
    void Promise.allSettled(inFlight).then(() => port.close());
    return;
  }
  const work = check(request).finally(() => inFlight.delete(work));
  inFlight.add(work);
});

async function check(request: { id: number; from: number; to: number }): Promise<void> {
  try {
    const page = await checkRemotePage(client, request.from, request.to, watchedSeqs);
    // A set: listing one buffer twice makes postMessage throw.
    const buffers = new Set(page.levels.map((level) => level.buffer as ArrayBuffer));
    port.postMessage({ id: request.id, ok: true, page }, [...buffers]);
  } catch (error) {
    const e = error as { message?: string; code?: unknown };
    port.postMessage({
      id: request.id,
      ok: false,
      error: {
        message: e.message ?? String(error),
        code: typeof e.code === 'string' ? e.code : undefined,
        // An API refusal keeps its status and reason, as if the main thread had asked.
        ...(error instanceof ApiError
          ? { status: error.status, path: error.path, reason: error.reason }
          : {}),
      },
    });
  }
}
