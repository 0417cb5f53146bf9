import { useEffect, useRef, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { shortTime, text } from '../format.js';
import { browserKeyPins } from '../key-pin.js';
import { href } from '../router.js';
import { type EventEntry, type Verification, verifyEventInBrowser } from '../verify-event.js';
import type { AlertSummary } from './alert-list.js';
import { ErrorNote } from './error-note.js';
import { Link } from './link.js';

/**
 * One event in full: the record as the server stored it (as text), its seq and leaf hash,
 * skew flags, and "Verify in this browser". Escape or the close button returns to the list.
 */
export function EventDrawer(props: { id: string; onClose: () => void }) {
  const [entry, setEntry] = useState<EventEntry | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [verification, setVerification] = useState<Verification | 'running' | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    setEntry(undefined);
    setError(undefined);
    setVerification(undefined);
    apiGet<EventEntry>(`/api/v1/events/${encodeURIComponent(props.id)}`).then(setEntry, setError);
  }, [props.id]);
  useEffect(() => heading.current?.focus(), [entry]);
  // Alerts raised on this event: the server finds them by the event's seq.
  const [alerts, setAlerts] = useState<AlertSummary[] | undefined>(undefined);
  useEffect(() => {
    setAlerts(undefined);
    if (entry === undefined) return;
    apiGet<{ alerts: AlertSummary[] }>('/api/v1/alerts', { event_seq: entry.seq, limit: 50 }).then(
      (a) => setAlerts(a.alerts),
      () => setAlerts(undefined),
    );
  }, [entry]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') props.onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [props.onClose]);

  const record = entry?.record as Record<string, unknown> | undefined;
  // Quotes cannot be searched for inside a quoted term; such ids get no timeline link.
  const idOf = (v: unknown) => (typeof v === 'string' && !v.includes('"') ? v : undefined);
  const actorId = idOf((record?.actor as { id?: unknown } | undefined)?.id);
  const targetId = idOf((record?.target as { id?: unknown } | undefined)?.id);
  return (
    <div class="drawer" aria-labelledby="drawer-title" role="dialog">
      <header>
        <h2 id="drawer-title" tabIndex={-1} ref={heading}>
          Event {props.id}
        </h2>
        <button type="button" onClick={props.onClose} aria-label="Close the event">
          ✕
        </button>
      </header>
      <ErrorNote error={error} />
      {entry && record ? (
        <>
          <dl class="facts">
            <dt>Seq</dt>
            <dd>{entry.seq}</dd>
            <dt>Leaf hash</dt>
            <dd class="mono">{entry.leaf_hash}</dd>
            <dt>Event time</dt>
            <dd>{shortTime(record.time)}</dd>
            <dt>Received</dt>
            <dd>{shortTime(record.received_at)}</dd>
            <dt>Flags</dt>
            <dd>
              {entry.flags?.length
                ? `${entry.flags.join(' ')} (skew ${entry.skew_ms ?? '?'} ms)`
                : 'none'}
            </dd>
          </dl>
          <p class="timelines">
            {actorId ? (
              <Link href={href('/timeline', { actor: actorId })}>This actor's activity</Link>
            ) : null}{' '}
            {targetId ? (
              <Link
                href={href('/timeline', {
                  target: targetId,
                  target_type: idOf((record?.target as { type?: unknown }).type),
                })}
              >
                Who accessed this target
              </Link>
            ) : null}
          </p>
          {alerts && alerts.length > 0 ? (
            <>
              <h3>Alerts raised on it</h3>
              <ul>
                {alerts.map((a) => (
                  <li key={a.id}>
                    <Link href={`/alerts/${encodeURIComponent(a.id)}`}>{text(a.title)}</Link> (
                    {text(a.severity)}, {text(a.state)})
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          <h3>Record</h3>
          <pre class="record">{text(JSON.stringify(record, null, 2))}</pre>
          <h3>Integrity</h3>
          <button
            type="button"
            disabled={verification === 'running'}
            onClick={() => {
              setVerification('running');
              verifyEventInBrowser(entry, browserKeyPins).then(setVerification, (e: unknown) =>
                setVerification({
                  ok: false,
                  keyChanged: false,
                  problem: e instanceof Error ? e.message : String(e),
                }),
              );
            }}
          >
            Verify in this browser
          </button>
          <VerificationResult result={verification} />
        </>
      ) : null}
    </div>
  );
}

function VerificationResult(props: { result: Verification | 'running' | undefined }) {
  const { result } = props;
  if (result === undefined) return null;
  if (result === 'running')
    return (
      <p role="status" class="verifying">
        Verifying…
      </p>
    );
  if (!result.ok) {
    return (
      <div class="verify-failed" role="alert" data-verified="false">
        <strong>{result.keyChanged ? 'The log key changed.' : 'Verification failed.'}</strong>{' '}
        {result.problem}
      </div>
    );
  }
  return (
    <div class="verify-ok" role="status" data-verified="true">
      <strong>Verified in this browser.</strong> This record's leaf is included in the tree of size{' '}
      {result.treeSize} (root <span class="mono">{result.rootHash}</span>), whose checkpoint is
      signed; {result.trust}.
      {result.pinnedNow ? ' This browser pinned the log key now (first use).' : ''}
      <details>
        <summary>Signed checkpoint</summary>
        <pre>{result.checkpoint}</pre>
      </details>
    </div>
  );
}
