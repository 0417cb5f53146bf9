import { useEffect, useMemo, useState } from 'preact/hooks';
import { apiGet, type Query } from '../api.js';
import { BarChart } from '../components/bar-chart.js';
import { DateRange } from '../components/date-range.js';
import { ErrorNote } from '../components/error-note.js';
import { EventDrawer } from '../components/event-drawer.js';
import { Facets } from '../components/facets.js';
import { ResultsTable } from '../components/results-table.js';
import { SavedSearches } from '../components/saved-searches.js';
import { bucketBars, type FacetCounts } from '../facet-counts.js';
import { DATE_PRESETS, parseQuery, presetFrom } from '../query-terms.js';
import { href, type Location, navigate } from '../router.js';
import { useApiGet } from '../use-api.js';
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
export function SearchPage(props: { location: Location; principalId: string }) {
  const { params } = props.location;
  const q = params.get('q') ?? '';
  const range = params.get('range') ?? '';
  const eventId = params.get('event') ?? undefined;
  const [draft, setDraft] = useState(q);
  const [cursors, setCursors] = useState<string[]>([]);
  // An answer remembers the search it answers, so a stale page is never shown as current.
  const [answer, setAnswer] = useState<{ key: string; page?: Page; error?: unknown }>({ key: '' });
  const [live, setLive] = useState(false);
  const [tick, setTick] = useState(0);
  const cursor = cursors.at(-1);

  useEffect(() => setDraft(q), [q]);
  useEffect(() => setCursors([]), [q, range]);
  const key = JSON.stringify([q, range, cursor ?? null]);
  useEffect(() => {
    const parsed = parseQuery(q);
    if (!parsed.ok) {
      setAnswer({ key, error: new Error(parsed.message) });
      return;
    }
    let cancelled = false;
    apiGet<Page>('/api/v1/events', {
      ...parsed.params,
      ...(parsed.params.from === undefined ? { from: presetFrom(range, Date.now()) } : {}),
      limit: PAGE_SIZE,
      cursor,
    }).then(
      (p) => {
        if (!cancelled) setAnswer({ key, page: p });
      },
      (e: unknown) => {
        if (!cancelled) setAnswer({ key, error: e });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, tick]);
  const current = answer.key === key;
  const page = current ? answer.page : undefined;
  // Facets and activity count the whole result, not this page; they do not move with paging.
  // They are asked for once the search's first rows are in: on a large log the count is the
  // slower query, and the rows are what makes the page usable.
  const search = JSON.stringify([q, range]);
  const [rowsShownFor, setRowsShownFor] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (page) setRowsShownFor(search);
  }, [page, search]);
  const facetQuery = useMemo((): Query | undefined => {
    const parsed = parseQuery(q);
    if (!parsed.ok || rowsShownFor !== search) return undefined;
    return {
      ...parsed.params,
      ...(parsed.params.from === undefined ? { from: presetFrom(range, Date.now()) } : {}),
      bucket: 'hour',
    };
  }, [q, range, tick, rowsShownFor]);
  const facets = useApiGet<FacetCounts>(
    facetQuery ? '/api/v1/events/facets' : undefined,
    facetQuery,
  ).data;

  // Live tail: re-reads the newest page while on it (each read is audited like any search).
  useEffect(() => {
    if (!live || cursor !== undefined) return;
    const timer = window.setInterval(() => setTick((t) => t + 1), LIVE_TAIL_MS);
    return () => window.clearInterval(timer);
  }, [live, cursor]);

  const go = (next: { q?: string; range?: string; event?: string }) =>
    navigate(href('/', { q, range, ...next }));

  return (
    <section class="search" data-answered-query={current ? q : undefined}>
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
      <div class="search-tools">
        <DateRange onApply={(terms) => go({ q: `${q} ${terms}`.trim(), event: undefined })} />
        <SavedSearches principalId={props.principalId} q={q} range={range} />
      </div>
      <p class="hint">
        Terms: actor: actor_name: action: (prefix with .*) target: target_type: outcome: source: ip:
        (address or CIDR) from:/to: (received time) time_from:/time_to: (event time); other words
        search actor names.
      </p>
      {current ? <ErrorNote error={answer.error} /> : null}
      {!current ? <p class="count">Searching…</p> : null}
      {page ? (
        <div class="results" data-query={q}>
          <Facets counts={facets} onPick={(term) => go({ q: `${q} ${term}`.trim() })} />
          <div class="table-area">
            <p class="count" aria-live="polite">
              {`${page.entries.length} events on this page`}
            </p>
            <Activity counts={facets} />
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

/** Activity per hour of event time over the whole result (the newest 60 hours of it). */
function Activity(props: { counts: FacetCounts | undefined }) {
  const bars = bucketBars(props.counts?.buckets ?? [], 3_600_000);
  if (bars.length < 2) return null;
  return <BarChart title="Activity per hour (event time)" bars={bars} series={['events']} />;
}
