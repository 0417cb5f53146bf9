import { useEffect, useState } from 'preact/hooks';
import { apiGet, apiPost, apiSendText } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { Link } from '../components/link.js';
import { RulesEditor } from '../components/rules-editor.js';
import { shortTime, text } from '../format.js';

interface PrincipalRow {
  id: string;
  kind: string;
  name: string;
  roles: { role: string; sources: string[] | null }[];
  disabled: boolean;
}

interface Approval {
  id: string;
  change: unknown;
  status: string;
  subject: { id: string; name?: string };
  requested_by: { id: string; name?: string } | string;
  requested_at: string;
  reason: string | null;
}

interface IngestKey {
  id: string;
  source: string;
  label: string | null;
  created_at: string;
  revoked_at: string | null;
}

/**
 * Admin (admins only; the server refuses anyone else with 403, shown as such): principals
 * and their roles, pending approvals, ingest keys (a new key is shown once), alert rules;
 * notification settings have their own page (Admin → Notifications).
 */
export function AdminPage() {
  const [principals, setPrincipals] = useState<PrincipalRow[] | undefined>();
  const [approvals, setApprovals] = useState<Approval[] | undefined>();
  const [keys, setKeys] = useState<IngestKey[] | undefined>();
  const [error, setError] = useState<unknown>(undefined);
  const [newSource, setNewSource] = useState('');
  const [created, setCreated] = useState<{ source: string; key: string } | undefined>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    apiGet<{ principals: PrincipalRow[] }>('/api/v1/principals').then(
      (p) => setPrincipals(p.principals),
      setError,
    );
    apiGet<{ approvals: Approval[] }>('/api/v1/approvals', { status: 'pending' }).then(
      (a) => setApprovals(a.approvals),
      setError,
    );
    apiGet<{ keys: IngestKey[] }>('/api/v1/keys').then((k) => setKeys(k.keys), setError);
  }, [reload]);
  const decide = (id: string, decision: 'approve' | 'reject') =>
    apiPost(`/api/v1/approvals/${encodeURIComponent(id)}/${decision}`, {}).then(
      () => setReload((n) => n + 1),
      setError,
    );
  const who = (p: { id: string; name?: string } | string) =>
    typeof p === 'string' ? p : text(p.name ?? p.id);
  return (
    <section class="admin">
      <h1>Admin</h1>
      <p>
        <Link href="/admin/notifications">Notifications</Link>: webhooks, e-mail and dead letters.
      </p>
      <ErrorNote error={error} />
      <h2>Principals</h2>
      {principals ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Roles</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {principals.map((p) => (
              <tr key={p.id}>
                <td>{text(p.name)}</td>
                <td>{text(p.kind)}</td>
                <td>
                  {p.roles
                    .map((r) => (r.sources ? `${r.role}:${r.sources.join(',')}` : r.role))
                    .join(' ')}
                </td>
                <td>{p.disabled ? 'disabled' : 'active'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Pending approvals</h2>
      {approvals?.length === 0 ? <p>None.</p> : null}
      <ul>
        {(approvals ?? []).map((a) => (
          <li key={a.id}>
            {who(a.requested_by)} asks to change {who(a.subject)}: {text(a.change)}
            {a.reason ? ` (${text(a.reason)})` : ''} — {shortTime(a.requested_at)}{' '}
            <button type="button" onClick={() => void decide(a.id, 'approve')}>
              Approve
            </button>{' '}
            <button type="button" onClick={() => void decide(a.id, 'reject')}>
              Reject
            </button>
          </li>
        ))}
      </ul>
      <h2>Ingest keys</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          apiPost<{ key: string; source: string }>('/api/v1/keys', { source: newSource }).then(
            (k) => {
              setCreated({ source: k.source, key: k.key });
              setNewSource('');
              setReload((n) => n + 1);
            },
            setError,
          );
        }}
      >
        <label>
          Source of a new key
          <input value={newSource} onInput={(e) => setNewSource(e.currentTarget.value)} />
        </label>
        <button type="submit">Create ingest key</button>
      </form>
      {created ? (
        <p class="notice" role="status">
          The key for {text(created.source)}, shown this once — copy it now:{' '}
          <code class="mono">{created.key}</code>
        </p>
      ) : null}
      {keys ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Label</th>
              <th scope="col">Created</th>
              <th scope="col">Revoked</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k.id}>
                <td>{text(k.source)}</td>
                <td>{text(k.label)}</td>
                <td>{shortTime(k.created_at)}</td>
                <td>{shortTime(k.revoked_at) || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <h2>Alert rules (API layer)</h2>
      <RulesEditor send={apiSendText} />
    </section>
  );
}
