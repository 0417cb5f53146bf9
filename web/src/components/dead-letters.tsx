import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api.js';
import { clip, shortTime, text } from '../format.js';
import { ErrorNote } from './error-note.js';

interface DeadLetter {
  id: string;
  channel: string;
  event: string;
  alert: { id: string; rule_id: string; title: string; severity: string; sources: string[] };
  attempts: number;
  replays: number;
  created_at: string | null;
  finished_at: string | null;
  last_error: string | null;
}

interface Page {
  deliveries: DeadLetter[];
  next_cursor: string | null;
}

const PAGE_SIZE = 50;
// Class names from a fixed list: a value from the server never becomes markup or a class.
const SEVERITY_CLASS: Record<string, string> = {
  low: 'sev-low',
  medium: 'sev-medium',
  high: 'sev-high',
  critical: 'sev-critical',
};

/**
 * Deliveries that ran out of attempts (GET /api/v1/notifications/dead-letters), newest
 * first; Replay queues one again for a fresh set of attempts (audited as
 * `notification.replay`). The alert title and the error are receiver- or attacker-written:
 * shown as text.
 */
export function DeadLetters() {
  const [letters, setLetters] = useState<DeadLetter[] | undefined>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const [reload, setReload] = useState(0);
  useEffect(() => {
    apiGet<Page>('/api/v1/notifications/dead-letters', { limit: PAGE_SIZE }).then((p) => {
      setLetters(p.deliveries);
      setCursor(p.next_cursor);
    }, setError);
  }, [reload]);
  const older = () => {
    if (cursor === null) return;
    apiGet<Page>('/api/v1/notifications/dead-letters', { limit: PAGE_SIZE, cursor }).then((p) => {
      setLetters((l) => [...(l ?? []), ...p.deliveries]);
      setCursor(p.next_cursor);
    }, setError);
  };
  const replay = (d: DeadLetter) =>
    apiPost(`/api/v1/notifications/dead-letters/${encodeURIComponent(d.id)}/replay`, {}).then(
      () => {
        setNote(`Queued again: the delivery of “${d.alert.title}” to ${d.channel}.`);
        setError(undefined);
        setReload((n) => n + 1);
      },
      setError,
    );
  return (
    <div class="dead-letters">
      <ErrorNote error={error} />
      {note ? <p role="status">{text(note)}</p> : null}
      {letters?.length === 0 ? <p>No dead letters.</p> : null}
      {letters && letters.length > 0 ? (
        <table class="dead-letters">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Channel</th>
              <th scope="col">Alert</th>
              <th scope="col">Attempts</th>
              <th scope="col">Replays</th>
              <th scope="col">Last error</th>
              <th scope="col">
                <span class="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {letters.map((d) => (
              <tr key={d.id}>
                <td>{shortTime(d.created_at)}</td>
                <td>{text(d.channel)}</td>
                <td>
                  <span class={SEVERITY_CLASS[d.alert.severity]}>{text(d.alert.severity)}</span>{' '}
                  {clip(text(d.alert.title))}
                </td>
                <td>{d.attempts}</td>
                <td>{d.replays}</td>
                <td>{clip(text(d.last_error))}</td>
                <td>
                  <button
                    type="button"
                    aria-label={`Replay the delivery to ${text(d.channel)} of ${clip(text(d.alert.title), 60)}`}
                    onClick={() => void replay(d)}
                  >
                    Replay
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {cursor !== null ? (
        <button type="button" onClick={older}>
          Older dead letters
        </button>
      ) : null}
    </div>
  );
}
