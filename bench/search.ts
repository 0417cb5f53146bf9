/**
 * Search latency on the filled log, limit 100, newest first, by actor, by target, by a
 * received_at range, and by actor within a range: at the store (SqliteStore.search +
 * firstSeqReceivedAtOrAfter, what the route calls) and through HTTP, where every search
 * also appends its durable self-audit event (the log audits itself).
 */
import type { Store } from '../src/store/store.js';
import { EventFactory } from './fixtures.js';
import { closedLoad } from './http-load.js';
import { type Latency, latency, timeEach } from './stats.js';

export const SEARCH_KINDS = ['actor', 'target', 'time range', 'actor + time range'] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

const LIMIT = 100;
const DAY_MS = 86_400_000;
// BENCH_STORE_QUERIES: fewer for a log whose searches are slow (the 10M PostgreSQL log).
const STORE_QUERIES = Number(process.env.BENCH_STORE_QUERIES || 2_000);

export interface SearchQuery {
  actor?: string;
  target?: string;
  fromMs?: number;
  toMs?: number;
}

/** Draws queries shaped like the stored events (busy actors are searched more often). */
export class QueryFactory {
  private readonly events = new EventFactory(777);

  constructor(
    private readonly startMs: number,
    private readonly endMs: number,
  ) {}

  next(kind: SearchKind): SearchQuery {
    const range = () => {
      const fromMs =
        this.startMs + this.events.int(Math.max(1, this.endMs - this.startMs - DAY_MS));
      return { fromMs, toMs: fromMs + DAY_MS };
    };
    switch (kind) {
      case 'actor':
        return { actor: this.events.actorId() };
      case 'target':
        return { target: this.events.targetId() };
      case 'time range':
        return range();
      case 'actor + time range':
        return { actor: this.events.actorId(), ...range() };
    }
  }
}

/** What GET /api/v1/events does with a query, minus HTTP and the self-audit append. */
export async function storeSearch(store: Store, q: SearchQuery): Promise<number> {
  const fromSeq =
    q.fromMs === undefined ? undefined : await store.firstSeqReceivedAtOrAfter(q.fromMs);
  const toSeq =
    q.toMs === undefined ? undefined : await store.firstSeqReceivedAtOrAfter(q.toMs + 1);
  const rows = await store.search({
    ...(q.actor ? { actor: q.actor } : {}),
    ...(q.target ? { target: q.target } : {}),
    fromSeq,
    toSeq,
    limit: LIMIT,
  });
  return rows.length;
}

export interface SearchResult {
  kind: SearchKind;
  latency: Latency;
  /** Mean rows returned. */
  rows: number;
  /** HTTP only. */
  requestsPerSecond?: number;
  failed?: number;
}

export async function searchStoreLevel(
  store: Store,
  startMs: number,
  endMs: number,
): Promise<SearchResult[]> {
  const results: SearchResult[] = [];
  for (const kind of SEARCH_KINDS) {
    const queries = new QueryFactory(startMs, endMs);
    const warm = Array.from({ length: Math.min(200, STORE_QUERIES) }, () => queries.next(kind));
    for (const q of warm) await storeSearch(store, q);
    const list = Array.from({ length: STORE_QUERIES }, () => queries.next(kind));
    let rows = 0;
    const samples = await timeEach(list.length, async (i) => {
      rows += await storeSearch(store, list[i]!);
    });
    results.push({ kind, latency: latency(samples), rows: rows / list.length });
  }
  return results;
}

export function searchPath(q: SearchQuery): string {
  const params = new URLSearchParams();
  if (q.actor) params.set('actor', q.actor);
  if (q.target) params.set('target', q.target);
  if (q.fromMs !== undefined) params.set('from', new Date(q.fromMs).toISOString());
  if (q.toMs !== undefined) params.set('to', new Date(q.toMs).toISOString());
  params.set('limit', String(LIMIT));
  return `/api/v1/events?${params}`;
}

/** One client at a time (latency, not throughput), each kind for `seconds`. */
export async function searchHttp(
  url: string,
  authorization: string,
  startMs: number,
  endMs: number,
  seconds: number,
): Promise<SearchResult[]> {
  const results: SearchResult[] = [];
  for (const kind of SEARCH_KINDS) {
    const queries = new QueryFactory(startMs, endMs);
    const load = await closedLoad({
      url: `${url}/api/v1/events`,
      connections: 1,
      seconds,
      method: 'GET',
      headers: { authorization },
      path: () => searchPath(queries.next(kind)),
    });
    results.push({
      kind,
      latency: load.latency,
      rows: Number.NaN,
      requestsPerSecond: load.okPerSecond,
      failed: load.failed,
    });
  }
  return results;
}
