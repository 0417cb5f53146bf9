/**
 * The HTTP read scenarios on a server that has just started: GET /api/v1/log (no self-audit
 * append), the searches and the inclusion proofs, from one client each.
 *
 * V8 compiles a request path while it runs it: from a cold start the first seconds of GET
 * /api/v1/log had a p99 about twice the steady one (0.94 against 0.51 ms on a 1M SQLite log),
 * and the first search kind measured paid for it too (actor p99 9.87 against 6.79 ms). So the
 * first seconds are measured on their own and reported as the cold start, then every read
 * path runs once, not counted (as the ingest scenarios warm up, http-ingest.ts), and only
 * then are the steady figures taken.
 */
import { TAIL_INDEX_MS } from '../src/store/sqlite/key-batch.js';
import { type ProofResult, proofsHttp } from './proofs.js';
import { type ReadFloorResult, readFloorHttp } from './read-floor.js';
import { type SearchResult, searchHttp } from './search.js';
import { ms } from './stats.js';

/** Seconds of each read kind the warm-up runs; nothing it measures is kept. */
const WARM_UP_SECONDS = 1;

export interface HttpReads {
  /** GET /api/v1/log in the first seconds after the server started. */
  coldFloor: ReadFloorResult;
  floor: ReadFloorResult;
  search: SearchResult[];
  proofs: ProofResult;
}

export interface ReadsLog {
  /** The received_at span of the filled history (for time-range searches). */
  startMs: number;
  endMs: number;
  treeSize: number;
}

export async function measureHttpReads(
  url: string,
  authorization: string,
  log: ReadsLog,
  seconds: number,
): Promise<HttpReads> {
  const coldFloor = await readFloorHttp(url, authorization, seconds >= 10 ? 2 : 1);
  await searchHttp(url, authorization, log.startMs, log.endMs, WARM_UP_SECONDS);
  await proofsHttp(url, authorization, log.treeSize, WARM_UP_SECONDS);
  // Last, and as long as the SQLite writer waits before it indexes a tail of keys
  // (TAIL_INDEX_MS): the audited reads above leave that work, and it must not land in the
  // measured reads.
  await readFloorHttp(url, authorization, Math.max(WARM_UP_SECONDS, TAIL_INDEX_MS / 1000));
  const half = Math.max(2, seconds / 2);
  return {
    coldFloor,
    floor: await readFloorHttp(url, authorization, half),
    search: await searchHttp(url, authorization, log.startMs, log.endMs, half),
    proofs: await proofsHttp(url, authorization, log.treeSize, seconds),
  };
}

/**
 * For a report's text after the steady GET /api/v1/log figures: that they were taken after a
 * warm-up, and what the cold start measured. Empty for results from before the warm-up.
 */
export function coldStartNote(cold: ReadFloorResult | undefined): string {
  if (!cold) return '';
  return ` after a warm-up of every read path (bench/http-reads.ts; in the first seconds after the server started, before any read path had run: p50 ${ms(cold.latency.p50)} ms, p99 ${ms(cold.latency.p99)} ms, while V8 compiled the request path)`;
}
