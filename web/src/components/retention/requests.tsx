import { shortTime, text } from '../../format.js';
import { Link } from '../link.js';
import type { Approval } from './types.js';

const WHAT: Record<string, string> = {
  retention_shorten: 'shorten a policy',
  hold_release: 'release a hold',
};

/** Retention's four-eyes requests and their state; they are decided under Admin. */
export function RetentionRequests(props: { approvals: Approval[] }) {
  return (
    <section aria-labelledby="requests-heading">
      <h2 id="requests-heading">Four-eyes requests</h2>
      <p class="muted">
        Shortening a policy and releasing a hold wait for a different admin:{' '}
        <Link href="/admin">Admin → Pending approvals</Link>.
      </p>
      {props.approvals.length === 0 ? <p>No request.</p> : null}
      {props.approvals.length > 0 ? (
        <table class="requests">
          <thead>
            <tr>
              <th scope="col">Asks to</th>
              <th scope="col">Subject</th>
              <th scope="col">Change</th>
              <th scope="col">Asked by</th>
              <th scope="col">Asked at</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {props.approvals.map((a) => {
              const p = a.retention_policy;
              return (
                <tr key={a.id} data-approval={a.id}>
                  <td>{WHAT[a.change] ?? text(a.change)}</td>
                  <td>{text(a.subject.name)}</td>
                  <td>
                    {p ? `min ${text(p.min ?? 'none')}, max ${text(p.max ?? 'forever')}` : ''}
                    {a.reason ? <div class="muted">{text(a.reason)}</div> : null}
                  </td>
                  <td>{text(a.requested_by.name)}</td>
                  <td>{shortTime(a.requested_at)}</td>
                  <td class={a.status === 'pending' ? 'bad' : ''}>
                    {text(a.status)}
                    {a.status === 'pending' ? ` until ${shortTime(a.expires_at)}` : ''}
                    {a.decided_by ? ` by ${text(a.decided_by.name)}` : ''}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
