import { shortTime, text } from '../../format.js';
import { href } from '../../router.js';
import { useApiGet } from '../../use-api.js';
import { ErrorNote } from '../error-note.js';
import { Link } from '../link.js';

interface PurgeEvent {
  seq: number;
  record: {
    id: string;
    received_at: string;
    details?: {
      policy_source?: unknown;
      min?: unknown;
      max?: unknown;
      archive?: unknown;
      cutoff?: unknown;
      ranges?: unknown;
      count?: unknown;
    };
  };
}

const LIMIT = 100;
/** The search that finds every purge, shared by the event links (the drawer opens by id). */
const PURGE_QUERY = 'source:evident action:retention.purge';

/**
 * The purge history: the log's own retention.purge events (one audited search), each with a
 * link that opens it in search, where it is verified in the browser like any other event.
 */
export function PurgeHistory(props: { refresh: number }) {
  const answer = useApiGet<{ entries: PurgeEvent[] }>(
    '/api/v1/events',
    { source: 'evident', action: 'retention.purge', limit: LIMIT },
    props.refresh,
  );
  const purges = answer.data?.entries;
  return (
    <section aria-labelledby="purges-heading">
      <h2 id="purges-heading">Purge history</h2>
      <p class="muted">
        The latest {LIMIT} retention.purge events, newest first: each names the policy it applied,
        the cutoff and the seq ranges whose payloads it removed (leaf hashes and proofs stay).
      </p>
      <ErrorNote error={answer.error} />
      {purges?.length === 0 ? <p>Nothing has been purged.</p> : null}
      {purges && purges.length > 0 ? (
        <table class="purges">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Policy</th>
              <th scope="col">Cutoff</th>
              <th scope="col">Seq ranges</th>
              <th scope="col">Count</th>
              <th scope="col">Event</th>
            </tr>
          </thead>
          <tbody>
            {purges.map((p) => {
              const d = p.record.details ?? {};
              const ranges = Array.isArray(d.ranges)
                ? d.ranges.map(text).join(', ')
                : text(d.ranges);
              return (
                <tr key={p.seq}>
                  <td>{shortTime(p.record.received_at)}</td>
                  <td>
                    {text(d.policy_source)}: min {text(d.min ?? 'none')}, max{' '}
                    {text(d.max ?? 'forever')}
                    {d.archive === true ? ', archived' : ''}
                  </td>
                  <td>{shortTime(d.cutoff)}</td>
                  <td>{ranges}</td>
                  <td>{text(d.count)}</td>
                  <td>
                    <Link href={href('/', { q: PURGE_QUERY, event: p.record.id })}>
                      #{p.seq} in search
                    </Link>
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
