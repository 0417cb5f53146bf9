import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { EventDrawer } from '../components/event-drawer.js';
import { Facets } from '../components/facets.js';
import { ResultsTable } from '../components/results-table.js';
import { DATE_PRESETS, parseQuery, presetFrom } from '../query-terms.js';
import { href, type Location, navigate } from '../router.js';
import type { EventEntry } from '../verify-event.js';

interface Page {
  entries: EventEntry[];
  next_cursor: string | null;
}

const PAGE_SIZE = 100;
const LIVE_TAIL_MS = 5000;

/**
 * The home page: one query bar of `key:value` terms, date presets, a dense results table
 * with cursor paging. The query, the preset and the open event live in the URL, so a
 * search is shareable and the back button walks through searches and drawers.
 */
export function SearchPage(props: { location: Location }) {
  const { params } = props.location;
  const q = params.get('q') ?? '';
  const range = params.get('range') ?? '';
  const eventId = params.get('event') ?? undefined;
  const [draft, setDraft] = useState(q);
  const [cursors, setCursors] = useState<string[]>([]);
  const [page, setPage] = useState<Page | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(false);
  const [live, setLive] = useState(false);
  const [tick, setTick] = useState(0);
  const cursor = cursors.at(-1);

  useEffect(() => setDraft(q), [q]);
  useEffect(() => setCursors([]), [q, range]);
  useEffect(() => {
    const parsed = parseQuery(q);
    if (!parsed.ok) {
      setError(new Error(parsed.message));
      setPage(undefined);
      return;
    }
    let cancelled = false;
    setLoading(true);
    apiGet<Page>('/api/v1/events', {
      ...parsed.params,
      ...(parsed.params.from === undefined ? { from: presetFrom(range, Date.now()) } : {}),
      limit: PAGE_SIZE,
      cursor,
    }).then(
      (p) => {
        if (cancelled) return;
        setPage(p);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (cancelled) return;
        setError(e);
        setPage(undefined);
        setLoading(false);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [q, range, cursor, tick]);

  // Live tail: re-reads the newest page while on it (each read is audited like any search).
  useEffect(() => {
    if (!live || cursor !== undefined) return;
    const timer = window.setInterval(() => setTick((t) => t + 1), LIVE_TAIL_MS);
    return () => window.clearInterval(timer);
  }, [live, cursor]);

  const go = (next: { q?: string; range?: string; event?: string }) =>
    navigate(href('/', { q, range, ...next }));

  return (
    <section class="search">
      <h1 class="visually-hidden">Search events</h1>
      <search>
        <form
          class="query-bar"
          onSubmit={(e) => {
            e.preventDefault();
            go({ q: draft.trim(), event: undefined });
          }}
        >
          <label for="q" class="visually-hidden">
            Query
          </label>
          <input
            id="q"
            name="q"
            type="search"
            placeholder="actor:u-123 action:customer.* outcome:failure source:billing-api ip:10.0.0.0/8"
            value={draft}
            onInput={(e) => setDraft(e.currentTarget.value)}
            spellcheck={false}
            autoComplete="off"
          />
          <label for="range" class="visually-hidden">
            Received within
          </label>
          <select
            id="range"
            value={range}
            onChange={(e) => go({ range: e.currentTarget.value, event: undefined })}
          >
            <option value="">Any time</option>
            {DATE_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                {p.label}
              </option>
            ))}
          </select>
          <button type="submit">Search</button>
          <label class="toggle">
            <input
              type="checkbox"
              checked={live}
              onChange={(e) => setLive(e.currentTarget.checked)}
            />
            Live tail
          </label>
        </form>
      </search>
      <p class="hint">
        Terms: actor: actor_name: action: (prefix with .*) target: target_type: outcome: source: ip:
        (address or CIDR) from:/to: (received time) time_from:/time_to: (event time); other words
        search actor names.
      </p>
      <ErrorNote error={error} />
      {page ? (
        <div class="results">
          <Facets entries={page.entries} onPick={(term) => go({ q: `${q} ${term}`.trim() })} />
          <div class="table-area">
            <p class="count" aria-live="polite">
              {loading ? 'Searching…' : `${page.entries.length} events on this page`}
            </p>
            <ResultsTable
              entries={page.entries}
              selected={eventId}
              onOpen={(id) => go({ event: id })}
            />
            <nav class="pager" aria-label="Pages">
              <button
                type="button"
                disabled={cursors.length === 0}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                ← Newer
              </button>
              <button
                type="button"
                disabled={!page.next_cursor}
                onClick={() => setCursors((c) => [...c, page.next_cursor!])}
              >
                Older →
              </button>
            </nav>
          </div>
        </div>
      ) : null}
      {eventId ? <EventDrawer id={eventId} onClose={() => go({ event: undefined })} /> : null}
    </section>
  );
}
