import type { FacetCounts } from '../facet-counts.js';
import { clip, text } from '../format.js';

const FACETS = [
  { term: 'source', label: 'Source' },
  { term: 'action', label: 'Action' },
  { term: 'outcome', label: 'Outcome' },
  { term: 'actor', label: 'Actor' },
] as const;

/**
 * Counts by source, action, outcome and actor over the whole result (the server counted
 * them within this person's sources, up to its scan limit). A click narrows the query.
 */
export function Facets(props: { counts: FacetCounts | undefined; onPick: (term: string) => void }) {
  const { counts } = props;
  return (
    <aside
      class="facets"
      aria-label="Facets of the result"
      aria-busy={counts === undefined}
      data-scanned={counts?.scanned}
    >
      {counts ? (
        <p class="hint">
          {counts.complete
            ? `Counted over all ${counts.scanned} matches`
            : `Counted over the newest ${counts.scanned} matches`}
        </p>
      ) : (
        <p class="hint">Counting…</p>
      )}
      {FACETS.map((f) => (
        <section key={f.term}>
          <h2>{f.label}</h2>
          <ul>
            {(counts?.facets[f.term] ?? []).map(({ value, count }) => (
              <li key={value}>
                <button
                  type="button"
                  class="link"
                  onClick={() => props.onPick(`${f.term}:"${value.replaceAll('"', '')}"`)}
                >
                  {clip(text(value), 40)}
                </button>{' '}
                <span class="n">{count}</span>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </aside>
  );
}
