import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost } from '../api.js';
import { shortTime, text } from '../format.js';
import type { Principal } from '../session.js';
import type { AlertSummary } from './alert-list.js';
import { ErrorNote } from './error-note.js';
import { Link } from './link.js';

interface Step {
  action: string;
  at: string;
  by: { id: string; type: string; name?: string };
  seq: number | null;
  disposition?: string;
  note?: string;
  assignee?: string | null;
  text?: string;
}

interface AlertFull extends AlertSummary {
  description?: string;
  resolution: { disposition: string; note: string; by: string } | null;
  history: Step[];
}

const DISPOSITIONS = ['true_positive', 'false_positive', 'benign', 'accepted_risk'];

/** One alert: its facts, its events, its history, and the handling steps. */
export function AlertDetail(props: { id: string; principal: Principal }) {
  const [alert, setAlert] = useState<AlertFull | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [assignee, setAssignee] = useState(props.principal.name);
  const [comment, setComment] = useState('');
  const [disposition, setDisposition] = useState('');
  const [note, setNote] = useState('');
  const url = `/api/v1/alerts/${encodeURIComponent(props.id)}`;
  useEffect(() => {
    apiGet<AlertFull>(url).then(setAlert, setError);
  }, [url]);
  const act = (step: string, body?: unknown, after?: () => void) => {
    setError(undefined);
    apiPost<AlertFull>(`${url}/${step}`, body).then((a) => {
      setAlert(a);
      after?.();
    }, setError);
  };
  if (!alert) return <ErrorNote error={error} />;
  return (
    <section class="alert-detail">
      <p>
        <Link href="/alerts">← All alerts</Link>
      </p>
      <h1>{text(alert.title)}</h1>
      <p>
        <span class={`sev-${alert.severity.replace(/[^a-z]/g, '')}`}>{text(alert.severity)}</span> ·
        state <strong data-state={alert.state}>{text(alert.state)}</strong> · rule{' '}
        {text(alert.rule_id)} · sources {alert.sources.map(text).join(', ')} · assignee{' '}
        {text(alert.assignee) || 'nobody'}
      </p>
      {alert.description ? <p>{text(alert.description)}</p> : null}
      <p>
        Events:{' '}
        {alert.seqs.slice(0, 20).map((seq) => (
          <span key={seq}>#{seq} </span>
        ))}
      </p>
      <ErrorNote error={error} />
      <div class="actions">
        <button
          type="button"
          disabled={alert.state !== 'open'}
          onClick={() => act('acknowledge', {})}
        >
          Acknowledge
        </button>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act('assign', { assignee: assignee.trim() === '' ? null : assignee.trim() });
          }}
        >
          <label>
            Assign to
            <input value={assignee} onInput={(e) => setAssignee(e.currentTarget.value)} />
          </label>
          <button type="submit">Assign</button>
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act('comments', { text: comment }, () => setComment(''));
          }}
        >
          <label>
            Comment
            <textarea value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
          </label>
          <button type="submit">Add comment</button>
        </form>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            act('resolve', { disposition, note }, () => setNote(''));
          }}
        >
          <label>
            Disposition
            <select value={disposition} onChange={(e) => setDisposition(e.currentTarget.value)}>
              <option value="">choose…</option>
              {DISPOSITIONS.map((d) => (
                <option key={d}>{d}</option>
              ))}
            </select>
          </label>
          <label>
            Resolution note
            <textarea value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          </label>
          <button type="submit" disabled={alert.state === 'resolved'}>
            Resolve
          </button>
        </form>
      </div>
      <h2>History</h2>
      <ol class="history">
        {alert.history.map((s, i) => (
          <li key={`${i}-${s.at}`}>
            {shortTime(s.at)} — <strong>{text(s.action)}</strong> by {text(s.by.name ?? s.by.id)}
            {s.disposition ? ` as ${text(s.disposition)}` : ''}
            {s.assignee !== undefined ? ` → ${text(s.assignee) || 'nobody'}` : ''}
            {s.note ? `: ${text(s.note)}` : ''}
            {s.text ? `: ${text(s.text)}` : ''}
            {s.seq !== null ? ` (event #${s.seq})` : ''}
          </li>
        ))}
      </ol>
    </section>
  );
}
