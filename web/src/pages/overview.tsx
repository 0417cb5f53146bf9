import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { BarChart, hourlyBars } from '../components/bar-chart.js';
import { ErrorNote } from '../components/error-note.js';
import { Link } from '../components/link.js';
import { clip, text } from '../format.js';
import { href } from '../router.js';
import type { EventEntry } from '../verify-event.js';
import type { SourceView } from './sources.js';

const SAMPLE = 1000;
const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'];

interface RecordView {
  received_at?: string;
  source?: string;
  outcome?: string;
  actor?: { id?: string };
  target?: { sensitivity?: string };
}

/**
 * The state of things at a glance, from the API this person may read: the latest events by
 * hour and source, failures, who touches restricted targets, open alerts by severity,
 * silent sources and clock skew, and the current checkpoint.
 */
export function OverviewPage() {
  const [entries, setEntries] = useState<EventEntry[] | undefined>(undefined);
  const [sources, setSources] = useState<SourceView[] | undefined>(undefined);
  const [open, setOpen] = useState<Record<string, number> | undefined>(undefined);
  const [log, setLog] = useState<{ tree_size: number; root_hash: string } | undefined>();
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    apiGet<{ entries: EventEntry[] }>('/api/v1/events', { limit: SAMPLE }).then(
      (p) => setEntries(p.entries),
      setError,
    );
    apiGet<{ sources: SourceView[] }>('/api/v1/sources').then(
      (s) => setSources(s.sources),
      setError,
    );
    apiGet<{ by_severity: Record<string, { open: number }> }>('/api/v1/alerts/metrics').then(
      (m) => setOpen(Object.fromEntries(SEVERITIES.map((s) => [s, m.by_severity[s]?.open ?? 0]))),
      setError,
    );
    apiGet<{ tree_size: number; root_hash: string }>('/api/v1/log').then(setLog, () => {});
  }, []);

  const records = (entries ?? []).map((e) => e.record as RecordView);
  const bySource = hourlyBars(records.map((r) => ({ at: r.received_at, series: text(r.source) })));
  const failures = hourlyBars(
    records
      .filter((r) => r.outcome === 'failure' || r.outcome === 'denied')
      .map((r) => ({ at: r.received_at, series: text(r.outcome) })),
  );
  const restricted = new Map<string, number>();
  for (const r of records) {
    if (r.target?.sensitivity !== 'restricted') continue;
    const actor = text(r.actor?.id);
    restricted.set(actor, (restricted.get(actor) ?? 0) + 1);
  }
  const topRestricted = [...restricted].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const silent = (sources ?? []).filter((s) => s.status === 'silent');
  const skewed = (sources ?? []).filter((s) => s.clock_skew.beyond_threshold > 0);

  return (
    <section class="overview">
      <h1>Overview</h1>
      <ErrorNote error={error} />
      {entries ? (
        <p class="muted">
          From the latest {entries.length} events you may read
          {entries.length === SAMPLE ? ` (the newest ${SAMPLE})` : ''}.
        </p>
      ) : null}
      <div class="grid">
        <BarChart title="Events per hour by source" bars={bySource.bars} series={bySource.series} />
        <BarChart
          title="Failures and denials per hour"
          bars={failures.bars}
          series={failures.series}
        />
        <div>
          <h2>Top actors on restricted targets</h2>
          {topRestricted.length === 0 ? (
            <p>None among these events.</p>
          ) : (
            <ol>
              {topRestricted.map(([actor, n]) => (
                <li key={actor}>
                  <Link href={href('/', { q: `actor:"${actor.replaceAll('"', '')}"` })}>
                    {clip(actor, 60)}
                  </Link>{' '}
                  <span class="n">{n}</span>
                </li>
              ))}
            </ol>
          )}
        </div>
        <div>
          <h2>Open alerts by severity</h2>
          {open ? (
            <BarChart
              title="Open alerts"
              bars={SEVERITIES.map((s) => ({ label: s, values: { open: open[s] ?? 0 } }))}
              series={['open']}
            />
          ) : null}
          <p>
            <Link href="/alerts?state=open">Open alerts</Link>
          </p>
        </div>
        <div>
          <h2>Sources</h2>
          <p>
            {sources?.length ?? 0} sources; {silent.length} silent
            {silent.length > 0 ? `: ${silent.map((s) => text(s.name)).join(', ')}` : ''};{' '}
            {skewed.length} with clock skew beyond the limit
            {skewed.length > 0 ? `: ${skewed.map((s) => text(s.name)).join(', ')}` : ''}.{' '}
            <Link href="/sources">Sources</Link>
          </p>
          <h2>Current checkpoint</h2>
          {log ? (
            <p>
              {log.tree_size} entries, root <span class="mono">{log.root_hash}</span>.{' '}
              <Link href="/integrity">Integrity</Link>
            </p>
          ) : null}
        </div>
      </div>
    </section>
  );
}
