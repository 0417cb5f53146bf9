import { shortTime, text } from '../../format.js';
import { can } from '../../permissions.js';
import type { Principal } from '../../session.js';
import { useApiGet } from '../../use-api.js';
import { ErrorNote } from '../error-note.js';
import { Link } from '../link.js';
import { type Definition, type Occurrence, STATUSES } from './types.js';

const LIMIT = 500;

/** A definition's filter as `key=value` text (log reviews: action, actor…; access: role). */
const filterText = (filter: Record<string, unknown>) =>
  Object.entries(filter)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');

/** The review definitions the viewer sees, and their occurrences grouped by status. */
export function ReviewList(props: { principal: Principal }) {
  // Admins define reviews (CLI or API) but read them only with a reading role.
  const canRead = can(props.principal, 'reviews.read');
  const definitions = useApiGet<{ reviews: Definition[] }>(canRead ? '/api/v1/reviews' : undefined);
  const occurrences = useApiGet<{ occurrences: Occurrence[] }>(
    canRead ? '/api/v1/reviews/occurrences' : undefined,
    { limit: LIMIT },
  );
  const all = occurrences.data?.occurrences;
  return (
    <section class="reviews">
      <h1>Reviews</h1>
      {canRead ? null : <p class="error">Reading reviews needs the auditor or reviewer role.</p>}
      <ErrorNote error={definitions.error ?? occurrences.error} />
      {definitions.data ? <Definitions reviews={definitions.data.reviews} /> : null}
      {all
        ? STATUSES.map(({ status, label }) => {
            const rows = all.filter((o) => o.status === status);
            return (
              <section key={status} aria-labelledby={`status-${status}`}>
                <h2 id={`status-${status}`}>
                  {label} ({rows.length})
                </h2>
                {rows.length === 0 ? <p class="muted">None.</p> : <Occurrences rows={rows} />}
              </section>
            );
          })
        : null}
      {all?.length === LIMIT ? (
        <p class="muted">The newest {LIMIT} occurrences are shown.</p>
      ) : null}
    </section>
  );
}

function Definitions(props: { reviews: Definition[] }) {
  return (
    <section aria-labelledby="definitions-heading">
      <h2 id="definitions-heading">Definitions</h2>
      {props.reviews.length === 0 ? (
        <p>No review is defined (or none over sources you may read).</p>
      ) : (
        <table class="definitions">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Kind</th>
              <th scope="col">Cadence</th>
              <th scope="col">Sources</th>
              <th scope="col">Filter</th>
              <th scope="col">Reviewers</th>
              <th scope="col">Due</th>
              <th scope="col">Countersign</th>
            </tr>
          </thead>
          <tbody>
            {props.reviews.map((d) => (
              <tr key={d.id}>
                <td>
                  {text(d.name)} <span class="muted">v{d.version}</span>
                </td>
                <td>{text(d.kind)}</td>
                <td>
                  {text(d.cadence)} ({text(d.time_zone)})
                </td>
                <td>{d.kind === 'access' ? 'every principal' : d.sources.map(text).join(', ')}</td>
                <td>{text(filterText(d.filter))}</td>
                <td>{d.reviewers.map(text).join(', ')}</td>
                <td>{d.due_days} days after the period</td>
                <td>{d.countersign ? 'required' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Occurrences(props: { rows: Occurrence[] }) {
  return (
    <table class="occurrences">
      <thead>
        <tr>
          <th scope="col">Review</th>
          <th scope="col">Period</th>
          <th scope="col">Due</th>
          <th scope="col">Items</th>
          <th scope="col">Signed off</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((o) => (
          <tr key={o.id} class={o.overdue ? 'overdue' : undefined} data-occurrence={o.id}>
            <td>
              <Link href={`/reviews/${encodeURIComponent(o.id)}`}>{text(o.name)}</Link>
            </td>
            <td>
              {shortTime(o.period_start)} – {shortTime(o.period_end)}
            </td>
            <td class={o.overdue ? 'bad' : undefined}>
              {shortTime(o.due_at)}
              {o.overdue ? <strong> overdue</strong> : null}
              {o.late ? ' (signed late)' : ''}
            </td>
            <td>{o.pin ? o.pin.item_count : 'not started'}</td>
            <td>{o.sign_off ? `${text(o.sign_off.by)}, ${shortTime(o.sign_off.at)}` : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
