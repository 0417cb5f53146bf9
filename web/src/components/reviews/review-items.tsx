import { useState } from 'preact/hooks';
import { clip, shortTime, text } from '../../format.js';
import { href } from '../../router.js';
import { useApiGet } from '../../use-api.js';
import { ErrorNote } from '../error-note.js';
import { Link } from '../link.js';
import type { LogItem, OccurrenceView, ReviewNote } from './types.js';

const PAGE = 100;

/** The notes (observations, decisions) made on one item, as text. */
function NotesOn(props: { notes: ReviewNote[]; item: string }) {
  const mine = props.notes.filter((n) => n.item === props.item);
  if (mine.length === 0) return null;
  return (
    <ul class="item-notes">
      {mine.map((n) => (
        <li key={n.id}>
          {n.kind === 'decision' ? `${text(n.decision)}: ` : ''}
          {text(n.note)} <span class="muted">— {text(n.by)}</span>
          {n.alert_id ? <span class="muted"> (alert {text(n.alert_id)})</span> : null}
        </li>
      ))}
    </ul>
  );
}

/** A started log review's events (as pinned), a page at a time, with the notes on each. */
export function LogItems(props: { occurrence: OccurrenceView; refresh: number }) {
  const [offset, setOffset] = useState(0);
  const o = props.occurrence;
  const answer = useApiGet<{ total: number; items: LogItem[] }>(
    `/api/v1/reviews/occurrences/${encodeURIComponent(o.id)}/items`,
    { offset, limit: PAGE },
    props.refresh,
  );
  const items = answer.data?.items;
  return (
    <section aria-labelledby="items-heading">
      <h2 id="items-heading">Items ({o.pin?.item_count ?? 0} events)</h2>
      <ErrorNote error={answer.error} />
      {items && items.length > 0 ? (
        <table class="review-items">
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Received</th>
              <th scope="col">Source</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Target</th>
              <th scope="col">Outcome</th>
              <th scope="col">Alerts and observations</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => {
              const r = item.record;
              return (
                <tr key={item.seq}>
                  <td>
                    <Link href={href('/', { event: item.id })}>{item.seq}</Link>
                  </td>
                  <td>{shortTime(r.received_at)}</td>
                  <td>{text(r.source)}</td>
                  <td>{clip(text(r.actor?.name ?? r.actor?.id))}</td>
                  <td>{clip(text(r.action))}</td>
                  <td>{clip(text(r.target?.id))}</td>
                  <td>{text(r.outcome)}</td>
                  <td>
                    {item.alerts.map((a) => (
                      <div key={a.id}>
                        <Link href={`/alerts/${encodeURIComponent(a.id)}`}>
                          {clip(text(a.title))}
                        </Link>{' '}
                        ({text(a.state)})
                      </div>
                    ))}
                    <NotesOn notes={o.notes} item={`seq:${item.seq}`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {items?.length === 0 ? <p>The period holds no matching event.</p> : null}
      <div class="pager">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(offset - PAGE)}>
          Previous items
        </button>
        <button
          type="button"
          disabled={answer.data === undefined || offset + PAGE >= answer.data.total}
          onClick={() => setOffset(offset + PAGE)}
        >
          Next items
        </button>
      </div>
    </section>
  );
}

/** A started access review's pinned principals and their grants, with the decisions on each. */
export function AccessItems(props: { occurrence: OccurrenceView }) {
  const principals = props.occurrence.snapshot?.principals ?? [];
  return (
    <section aria-labelledby="items-heading">
      <h2 id="items-heading">Principals as pinned ({principals.length})</h2>
      <table class="review-items">
        <thead>
          <tr>
            <th scope="col">Principal</th>
            <th scope="col">Kind</th>
            <th scope="col">Roles</th>
            <th scope="col">State</th>
            <th scope="col">Decisions and observations</th>
          </tr>
        </thead>
        <tbody>
          {principals.map((p) => (
            <tr key={p.id}>
              <td>
                {text(p.name)} <span class="muted">({text(p.id)})</span>
              </td>
              <td>{text(p.kind)}</td>
              <td>
                {p.grants
                  .map((g) => (g.sources ? `${g.role}:${g.sources.join(',')}` : g.role))
                  .map(text)
                  .join(' ')}
              </td>
              <td>{p.disabled ? 'disabled' : 'active'}</td>
              <td>
                <NotesOn notes={props.occurrence.notes} item={`principal:${p.id}`} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Notes on the review as a whole, and corrections after the sign-off. */
export function ReviewNotes(props: { notes: ReviewNote[] }) {
  const general = props.notes.filter((n) => n.item === 'review' || n.kind === 'correction');
  if (general.length === 0) return null;
  return (
    <section aria-labelledby="notes-heading">
      <h2 id="notes-heading">Notes on the review</h2>
      <ol class="history">
        {general.map((n) => (
          <li key={n.id}>
            {shortTime(n.at)} — <strong>{text(n.kind)}</strong> by {text(n.by)}
            {n.decision ? ` (${text(n.decision)})` : ''}: {text(n.note)}
          </li>
        ))}
      </ol>
    </section>
  );
}
