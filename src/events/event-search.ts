import { describeScope, inScope, type SourceScope } from '../access/authorization/source-scope.js';
import type { Outcome } from '../core/record/types.js';
import { AppError } from '../errors.js';
import type { EntryFilter, FacetCounts, Store, StoredEntry } from '../store/store.js';
import { formatIpNetwork, parseIpNetwork } from '../util/ip-network.js';
import { decodeCursor, encodeCursor, type SearchCursor } from './search-cursor.js';

/** The filters of GET /api/v1/events and GET /api/v1/events/export (docs/api.md). */
export const SEARCH_FILTER_PARAMS = [
  'actor',
  'actor_name',
  'action',
  'target',
  'target_type',
  'outcome',
  'source',
  'ip',
  'time_from',
  'time_to',
  'received_from',
  'received_to',
  'from',
  'to',
  'order',
] as const;

export const SEARCH_ORDERS = ['time', 'received'] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];

/**
 * The filters as the client wrote them: each given once, not empty, without control
 * characters (the route's schema checked that), `outcome` and `order` already one of theirs.
 */
export type SearchFilters = Partial<Record<(typeof SEARCH_FILTER_PARAMS)[number], string>>;

/** A search planned against the caller's scope: what the store is asked, and how it is told. */
export interface SearchPlan {
  /** Every filter but `limit` and the page position. */
  filter: Omit<EntryFilter, 'limit'>;
  order: SearchOrder;
  /** The filters as the caller wrote them (and the order used), for self-audit. */
  described: Record<string, string>;
  /** Set when no entry can ever match: the reason, said instead of an empty page. */
  neverMatches?: string;
}

export interface SearchPage {
  entries: StoredEntry[];
  /** Where the next page starts; null on the last page. */
  nextCursor: string | null;
}

/**
 * Matches a facet count reads at most: a row limit rather than a time budget, so the same
 * log and filters always give the same counts (a budget would vary with load), and the cost
 * is one index walk of this many rows on either store. Beyond it the counts are of the
 * newest matches and say so (`complete: false`).
 */
export const FACET_SCAN_LIMIT = 100_000;

export const FACET_BUCKETS = { hour: 3_600_000, day: 86_400_000 } as const;
export type FacetBucket = keyof typeof FACET_BUCKETS;

export interface SearchFacets extends FacetCounts {
  /** False when more matches exist than were counted (the newest FACET_SCAN_LIMIT were). */
  complete: boolean;
}

/** Entries read per store query while exporting: memory stays at one page, whatever the size. */
export const EXPORT_PAGE_SIZE = 1000;

/**
 * The event search of GET /api/v1/events and GET /api/v1/events/export (docs/api.md), built
 * once over the store and handed to routes.
 *
 * Two time axes: `time_from`/`time_to` on the source's `time`, and `received_from`/
 * `received_to` (alias `from`/`to`) on the server's `received_at`, which maps to a seq range.
 * A date alone (`2026-12-03`) is that whole day in UTC. `action` and `target` ending in `*`
 * are prefixes. The order is `time` when an event-time bound is given, else `received`,
 * unless `order` says otherwise. Pages are keyset pages behind an opaque cursor.
 */
export class EventSearch {
  constructor(private readonly store: Store) {}

  /** The filters as a store filter within the caller's scope. */
  async plan(filters: SearchFilters, scope: SourceScope): Promise<SearchPlan> {
    const action = prefixOrExact(filters, 'action');
    const target = prefixOrExact(filters, 'target');
    const ipText = filters.ip;
    const ip = ipText === undefined ? undefined : parseIpNetwork(ipText);
    if (ipText !== undefined && ip === undefined) {
      throw new AppError(
        'invalid_query',
        'query parameter "ip" must be an IPv4 or IPv6 address or a CIDR network, e.g. 10.0.0.7, 10.0.0.0/8 or 2001:db8::/32',
        { path: 'ip' },
      );
    }
    const source = filters.source;
    const timeFrom = instant(filters, 'time_from', 'start');
    const timeTo = instant(filters, 'time_to', 'end');
    checkRange('time_from', 'time_to', timeFrom, timeTo);
    const receivedFromName = aliasOf(filters, 'received_from', 'from');
    const receivedToName = aliasOf(filters, 'received_to', 'to');
    const receivedFrom = instant(filters, receivedFromName, 'start');
    const receivedTo = instant(filters, receivedToName, 'end');
    checkRange(receivedFromName, receivedToName, receivedFrom, receivedTo);
    const order =
      (filters.order as SearchOrder | undefined) ??
      (timeFrom !== undefined || timeTo !== undefined ? 'time' : 'received');

    // received_at never decreases along the log, so a received range is a seq range.
    const fromSeq =
      receivedFrom === undefined
        ? undefined
        : await this.store.firstSeqReceivedAtOrAfter(receivedFrom);
    const toSeq =
      receivedTo === undefined
        ? undefined
        : await this.store.firstSeqReceivedAtOrAfter(receivedTo + 1);

    const filter: Omit<EntryFilter, 'limit'> = {
      ...defined({
        actor: filters.actor,
        actorName: filters.actor_name,
        action: action.exact,
        actionPrefix: action.prefix,
        target: target.exact,
        targetPrefix: target.prefix,
        targetType: filters.target_type,
        outcome: filters.outcome as Outcome | undefined,
        source,
        ip,
        fromSeq,
        toSeq,
        timeFromMs: timeFrom,
        timeToMs: timeTo,
      }),
      ...(scope.all ? {} : { sources: { exact: scope.exact, prefixes: scope.prefixes } }),
      order,
    };
    const described: Record<string, string> = {};
    for (const name of SEARCH_FILTER_PARAMS) {
      const text = filters[name];
      if (text !== undefined) described[name] = text;
    }
    described.order = order;
    if (ip !== undefined) described.ip = formatIpNetwork(ip);

    let neverMatches: string | undefined;
    // Outside the caller's sources answers exactly as a source with no events: no leak.
    if (source !== undefined) {
      const seen =
        inScope(scope, source) && (await this.store.search({ source, limit: 1 })).length > 0;
      if (!seen) {
        neverMatches = `no events from source "${source}" that you can read: the log has no such source, or it is outside your sources (${describeScope(scope).join(', ')})`;
      }
    }
    return { filter, order, described, ...(neverMatches ? { neverMatches } : {}) };
  }

  /** One page, newest first, starting where `cursor` (a previous page's nextCursor) says. */
  async page(plan: SearchPlan, limit: number, cursor: string | undefined): Promise<SearchPage> {
    if (plan.neverMatches !== undefined) {
      // The cursor is still checked: a bad one is a bad request whatever the filters.
      pagePosition(plan.order, cursor);
      return { entries: [], nextCursor: null };
    }
    const position = pagePosition(plan.order, cursor);
    const { filter } = plan;
    const toSeq =
      position.toSeq === undefined
        ? filter.toSeq
        : Math.min(position.toSeq, filter.toSeq ?? Number.MAX_SAFE_INTEGER);
    const entries = await this.store.search({
      ...filter,
      ...(toSeq === undefined ? {} : { toSeq }),
      ...(position.before ? { before: position.before } : {}),
      limit,
    });
    const last = entries[entries.length - 1];
    let nextCursor: string | null = null;
    if (entries.length === limit && last) {
      if (plan.order === 'time') nextCursor = encodeCursor({ timeMs: last.timeMs, seq: last.seq });
      else if (last.seq > (filter.fromSeq ?? 0)) nextCursor = encodeCursor({ seq: last.seq });
    }
    return { entries, nextCursor };
  }

  /** Counts by source, action, outcome and actor (and activity buckets) over the matches. */
  async facets(
    plan: SearchPlan,
    options: { top: number; bucket?: FacetBucket; scanLimit?: number },
  ): Promise<SearchFacets> {
    const scanLimit = options.scanLimit ?? FACET_SCAN_LIMIT;
    if (plan.neverMatches !== undefined) {
      return {
        scanned: 0,
        complete: true,
        facets: { source: [], action: [], outcome: [], actor: [] },
        buckets: [],
      };
    }
    const counts = await this.store.searchFacets(
      { ...plan.filter, limit: scanLimit },
      {
        top: options.top,
        ...(options.bucket ? { bucketMs: FACET_BUCKETS[options.bucket] } : {}),
      },
    );
    return { ...counts, complete: counts.scanned < scanLimit };
  }

  /**
   * Every matching entry of the first `treeSize` entries, in the plan's order, as keyset
   * pages: each query starts where the last one ended.
   */
  async *pages(plan: SearchPlan, treeSize: number): AsyncGenerator<StoredEntry[]> {
    if (plan.neverMatches !== undefined) return;
    const filter: Omit<EntryFilter, 'limit'> = {
      ...plan.filter,
      toSeq: Math.min(plan.filter.toSeq ?? treeSize, treeSize),
    };
    let position: Pick<EntryFilter, 'before' | 'toSeq'> = {};
    for (;;) {
      const page = await this.store.search({ ...filter, ...position, limit: EXPORT_PAGE_SIZE });
      if (page.length > 0) yield page;
      if (page.length < EXPORT_PAGE_SIZE) return;
      const last = page[page.length - 1]!;
      position =
        plan.order === 'time'
          ? { before: { timeMs: last.timeMs, seq: last.seq } }
          : { toSeq: last.seq };
    }
  }
}

/** The page position of a cursor, checked against the search's order. */
function pagePosition(
  order: SearchOrder,
  cursorText: string | undefined,
): Pick<EntryFilter, 'before' | 'toSeq'> {
  if (cursorText === undefined) return {};
  const cursor: SearchCursor = decodeCursor(cursorText);
  if ((cursor.timeMs !== undefined) !== (order === 'time')) {
    throw new AppError(
      'invalid_cursor',
      `query parameter "cursor" belongs to a search in another order; repeat the same filters and order (${order}) the cursor came from`,
      { path: 'cursor' },
    );
  }
  return cursor.timeMs !== undefined
    ? { before: { timeMs: cursor.timeMs, seq: cursor.seq } }
    : { toSeq: cursor.seq };
}

type FilterName = keyof SearchFilters;

/** A trailing `*` makes a prefix; `*` anywhere else is refused (no other wildcards exist). */
function prefixOrExact(
  filters: SearchFilters,
  name: FilterName,
): { exact?: string; prefix?: string } {
  const text = filters[name];
  if (text === undefined) return {};
  const body = text.endsWith('*') ? text.slice(0, -1) : text;
  if (body.includes('*')) {
    throw new AppError(
      'invalid_query',
      `query parameter "${name}" may end in "*" (a prefix, like customer.*) but has no other wildcards`,
      { path: name },
    );
  }
  return text.endsWith('*') ? { prefix: body } : { exact: text };
}

function aliasOf(filters: SearchFilters, name: FilterName, alias: FilterName): FilterName {
  if (filters[name] !== undefined && filters[alias] !== undefined) {
    throw new AppError(
      'invalid_query',
      `query parameters "${alias}" and "${name}" are the same bound (received_at); give one`,
      { path: alias },
    );
  }
  return filters[alias] !== undefined ? alias : name;
}

/**
 * A bound of a time range in epoch ms: an RFC 3339 timestamp with an offset, or a date alone,
 * which is that day in UTC (its first millisecond as a start, its last as an end). The
 * route's schema checked the shape; this checks the calendar.
 */
function instant(
  filters: SearchFilters,
  name: FilterName,
  edge: 'start' | 'end',
): number | undefined {
  const text = filters[name];
  if (text === undefined) return undefined;
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!day) {
    const valid = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.test(
      text,
    );
    const ms = Date.parse(text);
    if (!valid || Number.isNaN(ms)) {
      throw new AppError(
        'invalid_query',
        `query parameter "${name}" must be an RFC 3339 timestamp with an offset (2026-11-22T09:00:00Z) or a date, which means that day in UTC (2026-11-22)`,
        { path: name },
      );
    }
    return ms;
  }
  const start = Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  if (new Date(start).toISOString().slice(0, 10) !== text) {
    throw new AppError(
      'invalid_query',
      `query parameter "${name}" is not a calendar date (got "${text}")`,
      {
        path: name,
      },
    );
  }
  return edge === 'start' ? start : start + 86_400_000 - 1;
}
function checkRange(fromName: string, toName: string, from?: number, to?: number): void {
  if (from !== undefined && to !== undefined && from > to) {
    throw new AppError(
      'empty_range',
      `query parameter "${fromName}" (${new Date(from).toISOString()}) is after "${toName}" (${new Date(to).toISOString()}): the range is empty; swap them`,
      { path: fromName },
    );
  }
}

function defined<T extends Record<string, unknown>>(
  value: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
