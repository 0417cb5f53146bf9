import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { shortTime, text } from '../format.js';

export interface SourceView {
  name: string;
  description: string | null;
  expected_max_silence: string | null;
  status: string;
  silent_since: string | null;
  last_event: { seq: number; received_at: string | null; time: string | null } | null;
  events: { total: number; last_hour: number; last_24h: number; per_minute_last_hour: number };
  clock_skew: { p50_ms: number | null; p95_ms: number | null; beyond_threshold: number };
}

/** Expected sources: last event, rate, silence and clock skew (GET /api/v1/sources). */
export function SourcesPage() {
  const [sources, setSources] = useState<SourceView[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    apiGet<{ sources: SourceView[] }>('/api/v1/sources').then(
      (s) => setSources(s.sources),
      setError,
    );
  }, []);
  return (
    <section>
      <h1>Sources</h1>
      <ErrorNote error={error} />
      {sources?.length === 0 ? (
        <p>
          No sources are registered yet: an ingest key declares its source, and admins declare
          expected ones.
        </p>
      ) : null}
      {sources && sources.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Status</th>
              <th scope="col">Last event (received)</th>
              <th scope="col">Last hour</th>
              <th scope="col">Last 24 h</th>
              <th scope="col">Total</th>
              <th scope="col">Expected within</th>
              <th scope="col">Skew p50 / p95</th>
              <th scope="col">Beyond limit</th>
            </tr>
          </thead>
          <tbody>
            {sources.map((s) => (
              <tr key={s.name}>
                <td>
                  {text(s.name)}
                  {s.description ? <div class="muted">{text(s.description)}</div> : null}
                </td>
                <td class={s.status === 'silent' ? 'bad' : ''}>
                  {text(s.status)}
                  {s.silent_since ? ` since ${shortTime(s.silent_since)}` : ''}
                </td>
                <td>{shortTime(s.last_event?.received_at)}</td>
                <td>{s.events.last_hour}</td>
                <td>{s.events.last_24h}</td>
                <td>{s.events.total}</td>
                <td>{text(s.expected_max_silence) || '—'}</td>
                <td>
                  {s.clock_skew.p50_ms ?? '—'} / {s.clock_skew.p95_ms ?? '—'} ms
                </td>
                <td>{s.clock_skew.beyond_threshold}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
