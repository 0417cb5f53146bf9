import { clip, text } from '../format.js';
import type { EventEntry } from '../verify-event.js';

const FACETS = [
  { term: 'source', label: 'Source', pick: (r: Record<string, unknown>) => r.source },
  { term: 'action', label: 'Action', pick: (r: Record<string, unknown>) => r.action },
  { term: 'outcome', label: 'Outcome', pick: (r: Record<string, unknown>) => r.outcome },
  {
    term: 'actor',
    label: 'Actor',
    pick: (r: Record<string, unknown>) => (r.actor as { id?: unknown } | undefined)?.id,
  },
];

/**
 * Counts by source, action, outcome and actor over the events on this page (the server
 * only ever returned what this person may read). A click narrows the query by that term.
 */
export function Facets(props: { entries: EventEntry[]; onPick: (term: string) => void }) {
  return (
    <aside class="facets" aria-label="Facets of this page">
      {FACETS.map((f) => {
        const counts = new Map<string, number>();
        for (const e of props.entries) {
          const value = text(f.pick(e.record));
          if (value !== '') counts.set(value, (counts.get(value) ?? 0) + 1);
        }
        const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 8);
        return (
          <section key={f.term}>
            <h2>{f.label}</h2>
            <ul>
              {top.map(([value, count]) => (
                <li key={value}>
                  <button
                    type="button"
                    class="link"
                    onClick={() => props.onPick(`${f.term}:"${value.replaceAll('"', '')}"`)}
                  >
                    {clip(value, 40)}
                  </button>{' '}
                  <span class="n">{count}</span>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </aside>
  );
}
