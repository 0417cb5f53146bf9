import { formatIpNetwork } from '../util/ip-network.js';
import { type EntryFilter, prefixUpperBound } from './store.js';

/** What differs between the adapters' SQL for a search: placeholders and record access. */
export interface SearchDialect {
  /** The placeholder of the n-th value (1-based). */
  param(n: number): string;
  /** An expression for `actor.name` of the stored record text. */
  actorName: string;
  /** A condition: `actor.ip` of the record lies in the network given as placeholder `p`. */
  ipIn(p: string): string;
  never: string;
  /**
   * Prefix filters whose index should not drive the query: a prefix that matches much of
   * the log is cheaper found by walking seq backwards than by sorting every match (the
   * SQLite adapter decides this by counting; PostgreSQL's planner has statistics).
   */
  unindexedPrefixes?: ReadonlySet<'action' | 'target_id'>;
  /**
   * Actor and target ids are keyed in separate tables filled behind the log (SQLite
   * migrations 14 and 16), not indexed on entries. `below` is an expression for the first seq
   * they do not cover yet; each key row is led by its bucket, seq >> `bucketBits`.
   */
  keyTables?: { below: string; bucketBits: number };
}

/**
 * The WHERE and ORDER BY of a search, the same on both adapters. Which index serves what
 * (migration 3 of each adapter):
 * - order `received`: the primary key walked backwards, or the (column, seq) index of an
 *   equality filter (actor_id, action, target_id, source); prefix filters are ranges on
 *   the same indexes (no LIKE, so nothing to escape).
 * - order `time`: entries_time (time_ms, seq), or entries_actor_time (actor_id, time_ms,
 *   seq) when an actor is given: "one person's actions by event time" is one index walk.
 * - actor_name and ip read the record and are not indexed: they narrow what the other
 *   filters select (a time range keeps them cheap on a large log).
 * - with `keyTables` (SQLite since its migration 14) actor and target ids are not indexes
 *   of entries but key tables filled behind the log: the same walks run on them, bucket by
 *   bucket newest first (migration 16), joined to entries by seq, beside a seq-range read of
 *   the tail they do not cover yet.
 */
export function searchSql(
  filter: EntryFilter,
  columns: string,
  table: string,
  d: SearchDialect,
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const p = (value: unknown) => {
    values.push(value);
    return d.param(values.length);
  };
  const order = searchOrder(filter);
  const keyTables = d.keyTables;
  const keys = keyTables === undefined ? undefined : keyTableFor(filter, d);
  if (keys === undefined || keyTables === undefined) {
    const where = conditions(filter, d, p).join(' AND ');
    return {
      text: `SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY ${order} LIMIT ${p(filter.limit)}`,
      values,
    };
  }
  // Two bounded pages, each in the filter's order, then the best `limit` of both: the key
  // table walked in its (key, [time,] seq) order joined to entries by seq, and the tail not
  // yet keyed read from entries by seq range (NOT INDEXED: a rowid range, never an index
  // walk over the whole log). The tail's seqs are all above the keyed ones.
  const keyed = `SELECT entry_seq FROM ${keys.table} CROSS JOIN ${table} ON seq = entry_seq
    WHERE ${[bucketsIn(filter, keyTables, p), ...keys.where(p), ...conditions(filter, d, p)].join(' AND ')}
    ORDER BY ${keys.order} LIMIT ${p(filter.limit)}`;
  const tail = `SELECT seq FROM ${table} NOT INDEXED
    WHERE ${[`seq >= ${keyTables.below}`, ...conditions(filter, d, p)].join(' AND ')}
    ORDER BY ${order} LIMIT ${p(filter.limit)}`;
  return {
    text: `SELECT ${columns} FROM ${table}
      WHERE seq IN (SELECT * FROM (${keyed}) UNION ALL SELECT * FROM (${tail}))
      ORDER BY ${order} LIMIT ${p(filter.limit)}`,
    values,
  };
}

/** A search's ORDER BY: newest received first, or by event time with seq breaking ties. */
export function searchOrder(filter: EntryFilter): string {
  return filter.order === 'time' ? 'time_ms DESC, seq DESC' : 'seq DESC';
}

/**
 * The buckets a key-table walk visits, newest first: every bucket the key tables cover,
 * narrowed by the filter's seq range (a page's cursor is its toSeq). SQLite iterates an IN
 * list in index order, either way, so `ORDER BY bucket DESC, entry_seq DESC` is one walk
 * that stops at the limit: a seek per bucket until the page is full.
 */
export function bucketsIn(
  filter: Pick<EntryFilter, 'fromSeq' | 'toSeq'>,
  keyTables: { below: string; bucketBits: number },
  p: (value: unknown) => string,
): string {
  const bits = keyTables.bucketBits;
  const end =
    filter.toSeq === undefined ? keyTables.below : `min(${keyTables.below}, ${p(filter.toSeq)})`;
  const first = () => (filter.fromSeq === undefined ? '0' : `(${p(filter.fromSeq)} >> ${bits})`);
  return `bucket IN (WITH RECURSIVE key_bucket(n) AS (
      SELECT (${end} - 1) >> ${bits} UNION ALL SELECT n - 1 FROM key_bucket WHERE n > ${first()}
    ) SELECT n FROM key_bucket WHERE n >= ${first()})`;
}

interface KeyTable {
  table: string;
  where(p: (value: unknown) => string): string[];
  order: string;
}

/** The key table that drives a search, if one of its keys is filtered on (migration 14). */
function keyTableFor(filter: EntryFilter, d: SearchDialect): KeyTable | undefined {
  const byTime = filter.order === 'time';
  const actor = filter.actor;
  if (actor !== undefined && byTime) {
    return {
      table: 'entry_actor_time_keys',
      where: (p) => {
        const w = [`actor = ${p(actor)}`];
        if (filter.timeFromMs !== undefined) w.push(`time >= ${p(filter.timeFromMs)}`);
        if (filter.timeToMs !== undefined) w.push(`time <= ${p(filter.timeToMs)}`);
        if (filter.before !== undefined)
          w.push(`(time, entry_seq) < (${p(filter.before.timeMs)}, ${p(filter.before.seq)})`);
        return w;
      },
      // Event time is not bucket order: the actor's keys in the time range (a seek in each
      // bucket) are sorted together, as one target's are.
      order: 'time DESC, entry_seq DESC',
    };
  }
  const seqRange = (p: (value: unknown) => string) => {
    const w: string[] = [];
    if (filter.fromSeq !== undefined) w.push(`entry_seq >= ${p(filter.fromSeq)}`);
    if (filter.toSeq !== undefined) w.push(`entry_seq < ${p(filter.toSeq)}`);
    return w;
  };
  if (actor !== undefined) {
    return {
      table: 'entry_actor_keys',
      where: (p) => [`actor = ${p(actor)}`, ...seqRange(p)],
      order: 'bucket DESC, entry_seq DESC',
    };
  }
  const target = filter.target;
  if (target !== undefined) {
    return {
      table: 'entry_target_keys',
      where: (p) => [`target = ${p(target)}`, ...seqRange(p)],
      // By event time: one target's entries, sorted (as entries_target then a sort did).
      order: byTime ? 'time_ms DESC, seq DESC' : 'bucket DESC, entry_seq DESC',
    };
  }
  // A target prefix by event time: entries_time drives it, filtering (as a common prefix does).
  if (byTime) return undefined;
  const prefix = filter.targetPrefix;
  if (prefix !== undefined && prefix !== '' && !d.unindexedPrefixes?.has('target_id')) {
    return {
      table: 'entry_target_keys',
      where: (p) => [
        `target >= ${p(prefix)} AND target < ${p(prefixUpperBound(prefix))}`,
        ...seqRange(p),
      ],
      order: 'entry_seq DESC',
    };
  }
  return undefined;
}

/** The conditions on entries' own columns, in text order (each value's placeholder is taken as it is written). */
function conditions(
  filter: EntryFilter,
  d: SearchDialect,
  p: (value: unknown) => string,
): string[] {
  // A purged payload (docs/retention.md) has nothing to match or show: searches and exports
  // skip it. First, so PostgreSQL never reads the empty text as JSON for actor_name or ip.
  const conditions: string[] = ["record <> ''"];
  const eq = (column: string, value: string | undefined) => {
    if (value !== undefined) conditions.push(`${column} = ${p(value)}`);
  };
  const prefix = (column: 'action' | 'target_id', value: string | undefined) => {
    if (value === undefined) return;
    // Unary + keeps a column's index out of the plan (SQLite and PostgreSQL alike).
    const c = d.unindexedPrefixes?.has(column) ? `+${column}` : column;
    if (value === '') conditions.push(`${c} IS NOT NULL`);
    else conditions.push(`${c} >= ${p(value)} AND ${c} < ${p(prefixUpperBound(value))}`);
  };
  eq('actor_id', filter.actor);
  eq('action', filter.action);
  prefix('action', filter.actionPrefix);
  eq('target_id', filter.target);
  prefix('target_id', filter.targetPrefix);
  eq('target_type', filter.targetType);
  eq('outcome', filter.outcome);
  eq('source', filter.source);
  if (filter.sources !== undefined) {
    const any: string[] = [];
    for (const name of filter.sources.exact) any.push(`source = ${p(name)}`);
    for (const pre of filter.sources.prefixes)
      any.push(`(source >= ${p(pre)} AND source < ${p(prefixUpperBound(pre))})`);
    conditions.push(any.length > 0 ? `(${any.join(' OR ')})` : d.never);
  }
  if (filter.fromSeq !== undefined) conditions.push(`seq >= ${p(filter.fromSeq)}`);
  if (filter.toSeq !== undefined) conditions.push(`seq < ${p(filter.toSeq)}`);
  if (filter.timeFromMs !== undefined) conditions.push(`time_ms >= ${p(filter.timeFromMs)}`);
  if (filter.timeToMs !== undefined) conditions.push(`time_ms <= ${p(filter.timeToMs)}`);
  if (filter.actorName !== undefined) conditions.push(`${d.actorName} = ${p(filter.actorName)}`);
  if (filter.ip !== undefined) conditions.push(d.ipIn(p(formatIpNetwork(filter.ip))));
  if (filter.order === 'time' && filter.before !== undefined) {
    // Row-value comparison: both engines walk the (time_ms, seq) index from the cursor.
    conditions.push(`(time_ms, seq) < (${p(filter.before.timeMs)}, ${p(filter.before.seq)})`);
  }
  return conditions;
}
