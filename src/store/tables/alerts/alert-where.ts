import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import { encodeTime } from 'ulid';
import type { SourceScope } from '../../../access/authorization/source-scope.js';
import type { AlertFilter } from '../../../monitor/alerts/alert-filter.js';
import { prefixUpperBound } from '../../store.js';
import type { AlertTables } from './alert-tables.js';

/** The outer query's alert id, from inside an EXISTS subquery. */
const OUTER_ID = sql.ref<string>('a.id');

type Eb = ExpressionBuilder<AlertTables & { a: AlertTables['alerts'] }, 'a'>;

/**
 * The WHERE of a list, export, metrics or bulk query over `alerts as a`: every filter, and
 * the reader's scope (an alert is theirs when any of its sources is in scope; filtering by a
 * source outside it matches nothing, since it would tell which alerts also involve it).
 * Time filters are id ranges: an alert id is a ULID of its raise time.
 */
export function alertWhere(
  db: Kysely<AlertTables>,
  filter: AlertFilter,
  scope: SourceScope,
  /** The query joins the filter's source row of `alert_sources` itself (no EXISTS needed). */
  options: { sourceJoined?: boolean } = {},
): (eb: Eb) => ReturnType<Eb['and']> {
  return (eb) => {
    const all: ReturnType<Eb['and']>[] = [];
    if (filter.state !== undefined) all.push(eb('a.state', '=', filter.state));
    if (filter.severity !== undefined) all.push(eb('a.severity', '=', filter.severity));
    if (filter.rule !== undefined) all.push(eb('a.rule_id', '=', filter.rule));
    if (filter.assignee !== undefined) all.push(eb('a.assignee', '=', filter.assignee));
    if (filter.fromMs !== undefined) all.push(eb('a.id', '>=', idAtOrAfter(filter.fromMs)));
    if (filter.toMs !== undefined) all.push(eb('a.id', '<', idAtOrAfter(filter.toMs + 1)));
    if (filter.source !== undefined) {
      if (!scope.all && !inPatterns(scope, filter.source)) return eb.or([]);
      if (!options.sourceJoined)
        all.push(
          eb.exists(
            db
              .selectFrom('alert_sources as s')
              .select(sql.lit(1).as('one'))
              .where('s.alert_id', '=', OUTER_ID)
              .where('s.source', '=', filter.source),
          ),
        );
    }
    if (filter.group !== undefined) {
      all.push(
        eb.exists(
          db
            .selectFrom('alert_groups as g')
            .select(sql.lit(1).as('one'))
            .where('g.alert_id', '=', OUTER_ID)
            .where('g.field', '=', filter.group.field)
            .where('g.value', '=', filter.group.value),
        ),
      );
    }
    if (filter.eventSeq !== undefined) {
      // Scoped: the seq's own source must be theirs (an unknown source counts as not theirs).
      all.push(
        eb.exists(
          db
            .selectFrom('alert_seqs as q')
            .select(sql.lit(1).as('one'))
            .where('q.alert_id', '=', OUTER_ID)
            .where('q.seq', '=', filter.eventSeq)
            .where((inner) => (scope.all ? inner.and([]) : sourceIn(inner, 'q.source', scope))),
        ),
      );
    }
    if (!scope.all) {
      all.push(
        eb.exists(
          db
            .selectFrom('alert_sources as v')
            .select(sql.lit(1).as('one'))
            .where('v.alert_id', '=', OUTER_ID)
            .where((inner) => sourceIn(inner, 'v.source', scope)),
        ),
      );
    }
    return eb.and(all);
  };
}

/** The smallest ULID of time `ms`: alerts raised at or after it have ids at or above it. */
export function idAtOrAfter(ms: number): string {
  return `${encodeTime(ms, 10)}${'0'.repeat(16)}`;
}

// biome-ignore lint/suspicious/noExplicitAny: one helper for the two aliased source columns
function sourceIn(eb: ExpressionBuilder<any, any>, column: string, scope: SourceScope) {
  if (scope.all) return eb.and([]);
  return eb.or([
    ...(scope.exact.length > 0 ? [eb(column, 'in', scope.exact)] : []),
    ...scope.prefixes.map((p) =>
      p === ''
        ? eb(column, 'is not', null)
        : eb.and([eb(column, '>=', p), eb(column, '<', prefixUpperBound(p))]),
    ),
  ]);
}

function inPatterns(scope: SourceScope & { all: false }, source: string): boolean {
  return scope.exact.includes(source) || scope.prefixes.some((p) => source.startsWith(p));
}
