import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Query } from '../api.js';
import { BarChart } from '../components/bar-chart.js';
import { ErrorNote } from '../components/error-note.js';
import { EventDrawer } from '../components/event-drawer.js';
import { Link } from '../components/link.js';
import { ResultsTable } from '../components/results-table.js';
import { bucketBars, type FacetCounts } from '../facet-counts.js';
import { clip, text } from '../format.js';
import { DATE_PRESETS, presetFrom } from '../query-terms.js';
import { href, type Location, navigate } from '../router.js';
import { useApiGet } from '../use-api.js';
import type { EventEntry } from '../verify-event.js';

const DAY_MS = 86_400_000;
const PAGE_SIZE = 200;
// A record's whole access history is the question a timeline answers first.
const DEFAULT_RANGE = 'all';

interface Page {
  entries: EventEntry[];
  next_cursor: string | null;
}

/**
 * Timelines: a person's activity (`?actor=`) or a target's access history (`?target=`,
 * "who accessed this customer record"): activity per day over the whole period, who (or
 * what) it involved most, and every event, newest first. Reads are events like any other.
 */
export function TimelinePage(props: { location: Location }) {
  const { params } = props.location;
  const actor = params.get('actor') ?? '';
  const target = params.get('target') ?? '';
  const targetType = params.get('target_type') ?? '';
  const range = params.get('range') ?? DEFAULT_RANGE;
  const eventId = params.get('event') ?? undefined;
  const [cursors, setCursors] = useState<string[]>([]);
  const subject = actor !== '' ? 'actor' : target !== '' ? 'target' : undefined;

  const filter = useMemo((): Query | undefined => {
    if (subject === undefined) return undefined;
    return {
      ...(subject === 'actor' ? { actor } : { target, target_type: targetType }),
      from: range === 'all' ? undefined : presetFrom(range, Date.now()),
    };
  }, [subject, actor, target, targetType, range]);
  useEffect(() => setCursors([]), [filter]);
  const counts = useApiGet<FacetCounts>(filter ? '/api/v1/events/facets' : undefined, {
    ...filter,
    bucket: 'day',
  });
  const cursor = cursors.at(-1);
  const page = useApiGet<Page>(filter ? '/api/v1/events' : undefined, {
    ...filter,
    limit: PAGE_SIZE,
    cursor,
  });
  const go = (next: Record<string, string | undefined>) =>
    navigate(
      href('/timeline', {
        actor,
        target,
        target_type: targetType,
        range: range === DEFAULT_RANGE ? undefined : range,
        ...next,
      }),
    );

  if (subject === undefined) return <TimelinePicker />;
  const title =
    subject === 'actor'
      ? `Activity of ${clip(text(actor), 80)}`
      : `Who accessed ${targetType ? `${clip(text(targetType), 40)} ` : ''}${clip(text(target), 80)}`;
  const bars = bucketBars(counts.data?.buckets ?? [], DAY_MS, 90);
  const people = subject === 'target' ? counts.data?.facets.actor : counts.data?.facets.action;
  return (
    <section class="timeline" data-loaded={counts.data && page.data ? 'true' : undefined}>
      <h1>{title}</h1>
      <p>
        <label for="timeline-range">Period</label>{' '}
        <select
          id="timeline-range"
          value={range}
          onChange={(e) => go({ range: e.currentTarget.value, event: undefined })}
        >
          {DATE_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
          <option value="all">All time</option>
        </select>{' '}
        <Link
          href={href('/', {
            q:
              subject === 'actor'
                ? `actor:"${actor.replaceAll('"', '')}"`
                : `target:"${target.replaceAll('"', '')}"`,
            range: range === 'all' ? undefined : range,
          })}
        >
          Open in search
        </Link>
      </p>
      <ErrorNote error={counts.error ?? page.error} />
      {counts.data ? (
        <>
          <p class="count">
            {counts.data.complete
              ? `${counts.data.scanned} events in this period`
              : `More than ${counts.data.scanned} events in this period; the chart and counts cover the newest ${counts.data.scanned}`}
          </p>
          {bars.length > 0 ? (
            <BarChart title="Events per day (event time)" bars={bars} series={['events']} />
          ) : null}
          <h2>{subject === 'target' ? 'Who accessed it' : 'What they did'}</h2>
          <ul class="top-list">
            {(people ?? []).map(({ value, count }) => (
              <li key={value}>
                {subject === 'target' ? (
                  <Link href={href('/timeline', { actor: value })}>{clip(text(value), 60)}</Link>
                ) : (
                  clip(text(value), 60)
                )}{' '}
                <span class="n">{count}</span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="count">Counting…</p>
      )}
      <h2>Events</h2>
      {page.data ? (
        <>
          <ResultsTable
            entries={page.data.entries}
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
              disabled={!page.data.next_cursor}
              onClick={() => setCursors((c) => [...c, page.data!.next_cursor!])}
            >
              Older →
            </button>
          </nav>
        </>
      ) : null}
      {eventId ? <EventDrawer id={eventId} onClose={() => go({ event: undefined })} /> : null}
    </section>
  );
}

/** Without a subject: ask for a person or a target. */
function TimelinePicker() {
  const [kind, setKind] = useState<'actor' | 'target'>('target');
  const [id, setId] = useState('');
  return (
    <section class="timeline">
      <h1>Timelines</h1>
      <p>A person's activity, or everyone who accessed a record.</p>
      <form
        class="query-bar"
        onSubmit={(e) => {
          e.preventDefault();
          if (id.trim() !== '') navigate(href('/timeline', { [kind]: id.trim() }));
        }}
      >
        <label for="timeline-kind">Timeline of</label>
        <select
          id="timeline-kind"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as 'actor' | 'target')}
        >
          <option value="target">a target (who accessed it)</option>
          <option value="actor">a person (actor id)</option>
        </select>
        <label for="timeline-id">Id</label>
        <input
          id="timeline-id"
          value={id}
          placeholder="c-9 or u-123"
          onInput={(e) => setId(e.currentTarget.value)}
        />
        <button type="submit">Show</button>
      </form>
    </section>
  );
}
