import { describeScope, inScope, type SourceScope } from '../access/source-scope.js';
import { OUTCOMES } from '../core/record/types.js';
import { AppError } from '../errors.js';
import type { EntryFilter, Store } from '../store/store.js';
import { formatIpNetwork, parseIpNetwork } from '../util/ip-network.js';
import { decodeCursor, type SearchCursor } from './cursor.js';
import type { QueryReader } from './http/query.js';

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

export interface EventSearch {
  /** Every filter but `limit` and the page position. */
  filter: Omit<EntryFilter, 'limit'>;
  order: SearchOrder;
  /** The filters as the caller wrote them (and the order used), for self-audit. */
  described: Record<string, string>;
  /** Set when no entry can ever match: the reason, said instead of an empty page. */
  neverMatches?: string;
}

/**
 * Reads the search filters of a request into a store filter within the caller's scope.
 * Two time axes: `time_from`/`time_to` on the source's `time`, and `received_from`/
 * `received_to` (alias `from`/`to`) on the server's `received_at`, which maps to a seq range.
 * A date alone (`2026-12-03`) is that whole day in UTC. `action` and `target` ending in `*`
 * are prefixes. The order is `time` when an event-time bound is given, else `received`,
 * unless `order` says otherwise.
 */
export async function readEventSearch(
  q: QueryReader,
  scope: SourceScope,
  store: Store,
): Promise<EventSearch> {
  const action = prefixOrExact(q, 'action');
  const target = prefixOrExact(q, 'target');
  const ipText = q.string('ip', 64);
  const ip = ipText === undefined ? undefined : parseIpNetwork(ipText);
  if (ipText !== undefined && ip === undefined) {
    throw new AppError(
      'invalid_query',
      'query parameter "ip" must be an IPv4 or IPv6 address or a CIDR network, e.g. 10.0.0.7, 10.0.0.0/8 or 2001:db8::/32',
      { path: 'ip' },
    );
  }
  const source = q.string('source');
  const timeFrom = q.instant('time_from', 'start');
  const timeTo = q.instant('time_to', 'end');
  checkRange('time_from', 'time_to', timeFrom, timeTo);
  const receivedFromName = aliasOf(q, 'received_from', 'from');
  const receivedToName = aliasOf(q, 'received_to', 'to');
  const receivedFrom = q.instant(receivedFromName, 'start');
  const receivedTo = q.instant(receivedToName, 'end');
  checkRange(receivedFromName, receivedToName, receivedFrom, receivedTo);
  const order =
    q.oneOf('order', SEARCH_ORDERS) ??
    (timeFrom !== undefined || timeTo !== undefined ? 'time' : 'received');

  // received_at never decreases along the log, so a received range is a seq range.
  const fromSeq =
    receivedFrom === undefined ? undefined : await store.firstSeqReceivedAtOrAfter(receivedFrom);
  const toSeq =
    receivedTo === undefined ? undefined : await store.firstSeqReceivedAtOrAfter(receivedTo + 1);

  const filter: Omit<EntryFilter, 'limit'> = {
    ...defined({
      actor: q.string('actor'),
      actorName: q.string('actor_name'),
      action: action.exact,
      actionPrefix: action.prefix,
      target: target.exact,
      targetPrefix: target.prefix,
      targetType: q.string('target_type'),
      outcome: q.oneOf('outcome', OUTCOMES),
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
    const text = q.string(name);
    if (text !== undefined) described[name] = text;
  }
  described.order = order;
  if (ip !== undefined) described.ip = formatIpNetwork(ip);

  let neverMatches: string | undefined;
  // Outside the caller's sources answers exactly as a source with no events: no leak.
  if (source !== undefined) {
    const seen = inScope(scope, source) && (await store.search({ source, limit: 1 })).length > 0;
    if (!seen) {
      neverMatches = `no events from source "${source}" that you can read: the log has no such source, or it is outside your sources (${describeScope(scope).join(', ')})`;
    }
  }
  return { filter, order, described, ...(neverMatches ? { neverMatches } : {}) };
}

/** The page position of a cursor, checked against the search's order. */
export function pagePosition(
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

/** A trailing `*` makes a prefix; `*` anywhere else is refused (no other wildcards exist). */
function prefixOrExact(q: QueryReader, name: string): { exact?: string; prefix?: string } {
  const text = q.string(name);
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

function aliasOf(q: QueryReader, name: string, alias: string): string {
  const hasName = q.string(name, 64) !== undefined;
  const hasAlias = q.string(alias, 64) !== undefined;
  if (hasName && hasAlias) {
    throw new AppError(
      'invalid_query',
      `query parameters "${alias}" and "${name}" are the same bound (received_at); give one`,
      { path: alias },
    );
  }
  return hasAlias ? alias : name;
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
