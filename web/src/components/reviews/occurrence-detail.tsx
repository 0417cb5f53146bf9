import { useState } from 'preact/hooks';
import { shortTime, text } from '../../format.js';
import { can, isReviewer } from '../../permissions.js';
import { href } from '../../router.js';
import type { Principal } from '../../session.js';
import { useApiGet } from '../../use-api.js';
import { ErrorNote } from '../error-note.js';
import { Link } from '../link.js';
import { OccurrenceActions } from './occurrence-actions.js';
import { AccessItems, LogItems, ReviewNotes } from './review-items.js';
import { type LogItem, type OccurrenceView, statusLabel } from './types.js';

/** One occurrence: its period and state, what it is pinned to, its items and notes, and the steps. */
export function OccurrenceDetail(props: { id: string; principal: Principal }) {
  const [refresh, setRefresh] = useState(0);
  const url = `/api/v1/reviews/occurrences/${encodeURIComponent(props.id)}`;
  const answer = useApiGet<OccurrenceView>(url, {}, refresh);
  const o = answer.data;
  // The observation form names the items on the first page of a log review.
  const firstItems = useApiGet<{ items: LogItem[] }>(
    o?.kind === 'log' && o.pin ? `${url}/items` : undefined,
    { limit: 100 },
    refresh,
  );
  if (!o)
    return (
      <section class="review">
        <p>
          <Link href="/reviews">← All reviews</Link>
        </p>
        <ErrorNote error={answer.error} />
      </section>
    );
  const { principal } = props;
  const works =
    can(principal, 'reviews.sign_off', o.sources) &&
    isReviewer(principal, o.reviewers) &&
    !(o.status === 'awaiting_countersign' && o.sign_off?.by === principal.id) &&
    o.status !== 'signed_off';
  const items =
    o.kind === 'log'
      ? (firstItems.data?.items ?? []).map((i) => ({
          value: `seq:${i.seq}`,
          label: `#${i.seq} ${i.record.action ?? ''} by ${i.record.actor?.id ?? ''}`,
        }))
      : (o.snapshot?.principals ?? []).map((p) => ({
          value: `principal:${p.id}`,
          label: `${p.name} (${p.id})`,
        }));
  return (
    <section class="review">
      <p>
        <Link href="/reviews">← All reviews</Link>
      </p>
      <h1>Review {text(o.name)}</h1>
      <dl class="facts">
        <dt>Kind</dt>
        <dd>
          {o.kind === 'log' ? `log review of ${o.sources.map(text).join(', ')}` : 'access review'}
        </dd>
        <dt>Period</dt>
        <dd>
          {shortTime(o.period_start)} – {shortTime(o.period_end)}
        </dd>
        <dt>Due</dt>
        <dd class={o.overdue ? 'bad' : undefined}>
          {shortTime(o.due_at)}
          {o.overdue ? <strong> overdue</strong> : null}
          {o.late ? ' (signed late)' : ''}
        </dd>
        <dt>State</dt>
        <dd data-status={o.status}>{statusLabel(o.status)}</dd>
        <dt>Reviewers</dt>
        <dd>{o.reviewers.map(text).join(', ')}</dd>
        {o.pin ? (
          <>
            <dt>Pinned</dt>
            <dd>
              by {text(o.pin.started_by)} at {shortTime(o.pin.started_at)} to the checkpoint of tree
              size {o.pin.tree_size}, root <code class="mono">{o.pin.root_hash}</code>
            </dd>
            <dt>{o.kind === 'log' ? 'Items hash' : 'Snapshot hash'}</dt>
            <dd>
              <code class="mono">{o.pin.items_sha256 ?? o.pin.snapshot_sha256}</code> (
              {o.pin.item_count} items)
            </dd>
          </>
        ) : null}
        {o.sign_off ? (
          <>
            <dt>Signed off</dt>
            <dd>
              by {text(o.sign_off.by)} at {shortTime(o.sign_off.at)}: {text(o.sign_off.decision)}
              {o.sign_off.notes ? ` — ${text(o.sign_off.notes)}` : ''} (
              <Link href={href('/', { event: o.sign_off.event_id })}>the sign-off event</Link>)
            </dd>
          </>
        ) : null}
        {o.countersign_required ? (
          <>
            <dt>Countersign</dt>
            <dd>
              {o.countersign
                ? `by ${text(o.countersign.by)} at ${shortTime(o.countersign.at)}`
                : 'required, not yet given'}
            </dd>
          </>
        ) : null}
      </dl>
      {works ? (
        <OccurrenceActions
          occurrence={o}
          principal={principal}
          items={items}
          onChanged={() => setRefresh((n) => n + 1)}
        />
      ) : null}
      <ReviewNotes notes={o.notes} />
      {o.pin && o.kind === 'log' ? <LogItems occurrence={o} refresh={refresh} /> : null}
      {o.pin && o.kind === 'access' ? <AccessItems occurrence={o} /> : null}
      {o.pin ? null : (
        <p class="muted">Not started: its items are fixed when a reviewer starts it.</p>
      )}
    </section>
  );
}
