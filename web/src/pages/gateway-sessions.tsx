import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { shortTime, text } from '../format.js';

interface SessionEvent {
  seq: number;
  record: {
    time: string;
    actor: { id: string; name?: string; ip?: string; session?: string };
    target?: { id: string };
    outcome: string;
    reason?: string;
    details?: { statements?: number; upstream_role?: string; client_tls?: string };
  };
}

interface SessionRow {
  session: string;
  person: string;
  database: string;
  ip: string;
  role: string;
  started: string;
  outcome: string;
  ended?: string;
  endReason?: string;
  statements?: number;
}

const LIMIT = 200;

/**
 * Database gateway sessions (docs/gateway.md), newest first: who connected to which database
 * as which upstream role, from where, how it ended and how many statements ran. Read from
 * the gateway's db.connect and db.disconnect events (two searches, each audited).
 */
export function GatewaySessionsPage() {
  const [rows, setRows] = useState<SessionRow[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const page = (action: string) =>
      apiGet<{ entries: SessionEvent[] }>('/api/v1/events', { action, limit: LIMIT });
    Promise.all([page('db.connect'), page('db.disconnect')]).then(
      ([connects, disconnects]) => setRows(sessions(connects.entries, disconnects.entries)),
      setError,
    );
  }, []);
  return (
    <section>
      <h1>Gateway sessions</h1>
      <p class="muted">
        The latest {LIMIT} connections through the database gateway; each statement is an event of
        its own (search by the session id).
      </p>
      <ErrorNote error={error} />
      {rows?.length === 0 ? <p>No gateway sessions in the log (or none you may read).</p> : null}
      {rows && rows.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Started</th>
              <th scope="col">Person</th>
              <th scope="col">Database</th>
              <th scope="col">Upstream role</th>
              <th scope="col">Client</th>
              <th scope="col">Connect</th>
              <th scope="col">Ended</th>
              <th scope="col">Statements</th>
              <th scope="col">Session</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.session}>
                <td>{shortTime(r.started)}</td>
                <td>{text(r.person)}</td>
                <td>{text(r.database)}</td>
                <td>{text(r.role)}</td>
                <td>{text(r.ip)}</td>
                <td class={r.outcome === 'success' ? '' : 'bad'}>{text(r.outcome)}</td>
                <td>
                  {r.ended ? shortTime(r.ended) : r.outcome === 'success' ? 'open' : '—'}
                  {r.endReason ? <div class="muted">{text(r.endReason)}</div> : null}
                </td>
                <td>{r.statements ?? '—'}</td>
                <td>
                  <code>{text(r.session)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}

function sessions(connects: SessionEvent[], disconnects: SessionEvent[]): SessionRow[] {
  const ends = new Map<string, SessionEvent['record']>();
  for (const d of disconnects)
    if (d.record.actor.session) ends.set(d.record.actor.session, d.record);
  return connects
    .filter((c) => c.record.actor.session)
    .map((c) => {
      const r = c.record;
      const end = ends.get(r.actor.session!);
      return {
        session: r.actor.session!,
        person: r.actor.name ? `${r.actor.name} (${r.actor.id})` : r.actor.id,
        database: r.target?.id ?? '',
        ip: r.actor.ip ?? '',
        role: r.details?.upstream_role ?? '',
        started: r.time,
        outcome: r.outcome === 'success' ? 'success' : `${r.outcome}: ${r.reason ?? ''}`,
        ...(end ? { ended: end.time } : {}),
        ...(end?.reason ? { endReason: end.reason } : {}),
        ...(end?.details?.statements !== undefined ? { statements: end.details.statements } : {}),
      };
    });
}
