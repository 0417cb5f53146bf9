import { useEffect, useState } from 'preact/hooks';
import { ApiError, apiGet, apiPost } from '../api.js';
import { clip, duration, shortTime, text } from '../format.js';
import { href, type Location, navigate } from '../router.js';
import { ErrorNote } from './error-note.js';
import { Link } from './link.js';

export interface AlertSummary {
  id: string;
  rule_id: string;
  title: string;
  severity: string;
  state: string;
  sources: string[];
  seqs: number[];
  raised_at: string | null;
  assignee: string | null;
}

interface Times {
  alerts: number;
  open: number;
  acknowledged: number;
  resolved: number;
  mean_time_to_acknowledge_ms: number | null;
  mean_time_to_resolve_ms: number | null;
}

const STATES = ['open', 'acknowledged', 'resolved'];
const SEVERITIES = ['info', 'low', 'medium', 'high', 'critical'];

/** The queue: filters in the URL, MTTA/MTTR over what the filters select. */
export function AlertList(props: { location: Location }) {
  const { params } = props.location;
  const filter = {
    state: params.get('state') ?? '',
    severity: params.get('severity') ?? '',
    assignee: params.get('assignee') ?? '',
  };
  const [alerts, setAlerts] = useState<AlertSummary[] | undefined>(undefined);
  const [metrics, setMetrics] = useState<Times | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [bulkNote, setBulkNote] = useState<string | undefined>(undefined);
  const [reload, setReload] = useState(0);
  const key = JSON.stringify(filter);
  useEffect(() => {
    setError(undefined);
    apiGet<{ alerts: AlertSummary[] }>('/api/v1/alerts', { ...filter, limit: 200 }).then(
      (a) => setAlerts(a.alerts),
      setError,
    );
    apiGet<{ overall: Times }>('/api/v1/alerts/metrics').then(
      (m) => setMetrics(m.overall),
      () => setMetrics(undefined),
    );
  }, [key, reload]);

  // One request per alert: each step is its own audited event, refused or done on its own.
  const acknowledgeSelected = async () => {
    const ids = [...selected];
    let done = 0;
    const refused: string[] = [];
    for (const id of ids) {
      try {
        await apiPost(`/api/v1/alerts/${encodeURIComponent(id)}/acknowledge`, {});
        done++;
      } catch (e) {
        refused.push(`${id}: ${e instanceof ApiError ? e.message : String(e)}`);
      }
    }
    setBulkNote(
      `Acknowledged ${done} of ${ids.length}.${refused.length > 0 ? ` Refused: ${refused.join('; ')}` : ''}`,
    );
    setSelected(new Set());
    setReload((n) => n + 1);
  };
  const toggle = (id: string, on: boolean) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
  };
  const set = (name: string, value: string) =>
    navigate(href('/alerts', { ...filter, [name]: value }));
  return (
    <section>
      <h1>Alerts</h1>
      {metrics ? (
        <dl class="metrics">
          <div>
            <dt>Open</dt>
            <dd>{metrics.open}</dd>
          </div>
          <div>
            <dt>Acknowledged</dt>
            <dd>{metrics.acknowledged}</dd>
          </div>
          <div>
            <dt>Resolved</dt>
            <dd>{metrics.resolved}</dd>
          </div>
          <div>
            <dt>MTTA</dt>
            <dd>{duration(metrics.mean_time_to_acknowledge_ms)}</dd>
          </div>
          <div>
            <dt>MTTR</dt>
            <dd>{duration(metrics.mean_time_to_resolve_ms)}</dd>
          </div>
        </dl>
      ) : null}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          State
          <select value={filter.state} onChange={(e) => set('state', e.currentTarget.value)}>
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Severity
          <select value={filter.severity} onChange={(e) => set('severity', e.currentTarget.value)}>
            <option value="">any</option>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          Assignee
          <input value={filter.assignee} onChange={(e) => set('assignee', e.currentTarget.value)} />
        </label>
      </form>
      <ErrorNote error={error} />
      <p class="bulk">
        <button
          type="button"
          disabled={selected.size === 0}
          onClick={() => void acknowledgeSelected()}
        >
          Acknowledge selected ({selected.size})
        </button>{' '}
        {bulkNote ? <span role="status">{bulkNote}</span> : null}
      </p>
      {alerts ? (
        alerts.length === 0 ? (
          <p>No alerts match.</p>
        ) : (
          <table class="alerts">
            <thead>
              <tr>
                <th scope="col">
                  <span class="visually-hidden">Select</span>
                </th>
                <th scope="col">Raised</th>
                <th scope="col">Severity</th>
                <th scope="col">State</th>
                <th scope="col">Title</th>
                <th scope="col">Sources</th>
                <th scope="col">Assignee</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((a) => (
                <tr key={a.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select alert ${a.id}`}
                      checked={selected.has(a.id)}
                      onChange={(e) => toggle(a.id, e.currentTarget.checked)}
                    />
                  </td>
                  <td>
                    <Link href={`/alerts/${encodeURIComponent(a.id)}`}>
                      {shortTime(a.raised_at)}
                    </Link>
                  </td>
                  <td class={`sev-${a.severity.replace(/[^a-z]/g, '')}`}>{text(a.severity)}</td>
                  <td>{text(a.state)}</td>
                  <td>{clip(text(a.title))}</td>
                  <td>{clip(a.sources.map(text).join(', '))}</td>
                  <td>{text(a.assignee)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )
      ) : null}
    </section>
  );
}
