/**
 * The HTTP read paths once each, on a server that has just started, before any of them is
 * measured. V8 compiles a request path while it runs it: from a cold start the first
 * seconds of GET /api/v1/log had a p99 about twice the steady one (0.94 against 0.51 ms on a
 * 1M log), and the first search kind measured paid for it too (actor p99 9.87 against 6.79
 * ms). The ingest scenarios warm up the same way (http-ingest.ts); the cold start is
 * measured on its own (coldReadFloor in run.ts) and reported beside the steady figures.
 */
import { TAIL_INDEX_MS } from '../src/store/sqlite/key-batch.js';
import { proofsHttp } from './proofs.js';
import { readFloorHttp } from './read-floor.js';
import { searchHttp } from './search.js';

/** Seconds of each read kind the warm-up runs; nothing it measures is kept. */
const WARM_UP_SECONDS = 1;

export async function warmUpReads(
  url: string,
  authorization: string,
  history: { startMs: number; endMs: number; treeSize: number },
): Promise<void> {
  await searchHttp(url, authorization, history.startMs, history.endMs, WARM_UP_SECONDS);
  await proofsHttp(url, authorization, history.treeSize, WARM_UP_SECONDS);
  // Last, and as long as the writer's wait before it indexes a tail of keys (TAIL_INDEX_MS):
  // the audited reads above leave that work, and it must not land in the measured reads.
  await readFloorHttp(url, authorization, Math.max(WARM_UP_SECONDS, TAIL_INDEX_MS / 1000));
}
