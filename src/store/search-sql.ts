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
 */
export function searchSql(
  filter: EntryFilter,
  columns: string,
  table: string,
  d: SearchDialect,
): { text: string; values: unknown[] } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const p = (value: unknown) => {
    values.push(value);
    return d.param(values.length);
  };
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
  const byTime = filter.order === 'time';
  if (byTime && filter.before !== undefined) {
    // Row-value comparison: both engines walk the (time_ms, seq) index from the cursor.
    conditions.push(`(time_ms, seq) < (${p(filter.before.timeMs)}, ${p(filter.before.seq)})`);
  }
  // A purged payload (docs/retention.md) has nothing to match or show: searches and exports
  // skip it. First, so PostgreSQL never reads the empty text as JSON for actor_name or ip.
  conditions.unshift("record <> ''");
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const order = byTime ? 'time_ms DESC, seq DESC' : 'seq DESC';
  return {
    text: `SELECT ${columns} FROM ${table} ${where} ORDER BY ${order} LIMIT ${p(filter.limit)}`,
    values,
  };
}
