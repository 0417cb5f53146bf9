import { type SearchDialect, searchSql } from './search-sql.js';
import {
  type EntryFilter,
  FACET_COLUMNS,
  type Facet,
  type FacetCounts,
  type FacetOptions,
} from './store.js';

const FACETS = Object.keys(FACET_COLUMNS) as Facet[];

/**
 * Facet counts of a search as one query, the same on both adapters: the search's own WHERE,
 * ORDER BY and LIMIT pick the matches (so the scan is bounded by the limit and walks the same
 * index a page of the search would), then each facet is grouped and cut to its top values.
 * `total` counts the matches; `bucket` rows give activity by the source's `time`.
 */
export function facetSql(
  filter: EntryFilter,
  options: FacetOptions,
  table: string,
  d: SearchDialect,
): { text: string; values: unknown[] } {
  const columns = [...Object.values(FACET_COLUMNS), 'time_ms'].join(', ');
  const matches = searchSql(filter, columns, table, d);
  const top = checkedInteger(options.top, 'top');
  const groups = FACETS.map(
    (facet) =>
      `SELECT '${facet}' AS facet, ${FACET_COLUMNS[facet]} AS value, count(*) AS n FROM m GROUP BY ${FACET_COLUMNS[facet]}`,
  ).join(' UNION ALL ');
  const buckets =
    options.bucketMs === undefined
      ? ''
      : ` UNION ALL SELECT 'bucket', CAST((time_ms - (time_ms % ${checkedInteger(options.bucketMs, 'bucketMs')})) AS TEXT), count(*) FROM m GROUP BY 2`;
  const text = `WITH m AS (${matches.text}),
    c AS (${groups}),
    r AS (SELECT facet, value, n, row_number() OVER (PARTITION BY facet ORDER BY n DESC, value) AS rank FROM c)
    SELECT facet, value, n FROM r WHERE rank <= ${top}
    UNION ALL SELECT 'total', NULL, count(*) FROM m${buckets}`;
  return { text, values: matches.values };
}

/** The rows of facetSql as counts (PostgreSQL's count(*) arrives as text). */
export function facetCounts(rows: readonly Record<string, unknown>[]): FacetCounts {
  const counts: FacetCounts = {
    scanned: 0,
    facets: { source: [], action: [], outcome: [], actor: [] },
    buckets: [],
  };
  for (const row of rows) {
    const facet = String(row.facet);
    const n = Number(row.n);
    if (facet === 'total') counts.scanned = n;
    else if (facet === 'bucket') counts.buckets.push({ startMs: Number(row.value), count: n });
    else if (facet in counts.facets) {
      counts.facets[facet as Facet].push({ value: String(row.value), count: n });
    }
  }
  for (const list of Object.values(counts.facets)) {
    list.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
  }
  counts.buckets.sort((a, b) => a.startMs - b.startMs);
  return counts;
}

/** Interpolated into the SQL text, so never anything but a positive safe integer. */
function checkedInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer`);
  return value;
}
