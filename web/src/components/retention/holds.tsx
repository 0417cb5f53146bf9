import { useState } from 'preact/hooks';
import { apiPost } from '../../api.js';
import { shortTime, text } from '../../format.js';
import { ErrorNote } from '../error-note.js';
import { errorField, errorFor, Field } from '../field.js';
import type { Approval, Hold } from './types.js';

const PLACE_FIELDS = ['matter', 'reason', 'source', 'actor_id', 'target_id', 'from', 'to'];

/** What a hold covers, as text: every criterion it names (an entry must match them all). */
function criteria(h: Hold): string {
  const parts = [
    h.source !== null ? `source ${h.source}` : '',
    h.actor_id !== null ? `actor ${h.actor_id}` : '',
    h.target_id !== null ? `target ${h.target_id}` : '',
    h.from !== null || h.to !== null
      ? `received ${h.from ? shortTime(h.from) : '…'} to ${h.to ? shortTime(h.to) : '…'}`
      : '',
  ];
  return parts.filter((p) => p !== '').join('; ');
}

/**
 * Legal holds, live and released, with their release state; for retention.manage, placing a
 * hold (at once) and asking for a release (a second person approves it).
 */
export function LegalHolds(props: {
  holds: Hold[];
  /** Hold releases waiting for approval, when the viewer may read approvals. */
  pendingReleases: Approval[] | undefined;
  canManage: boolean;
  onChanged: () => void;
}) {
  const pendingFor = (hold: Hold) =>
    props.pendingReleases?.find((a) => a.subject.id === `hold:${hold.id}`);
  const state = (h: Hold) => {
    if (h.released_at !== null)
      return `released ${shortTime(h.released_at)} (asked by ${h.released_by ?? 'unknown'})`;
    const pending = pendingFor(h);
    return pending
      ? `live; release asked by ${pending.requested_by.name}, waiting for approval (request ${pending.id})`
      : 'live';
  };
  return (
    <section aria-labelledby="holds-heading">
      <h2 id="holds-heading">Legal holds</h2>
      {props.holds.length === 0 ? <p>No legal hold has been placed.</p> : null}
      {props.holds.length > 0 ? (
        <table class="holds">
          <thead>
            <tr>
              <th scope="col">Matter</th>
              <th scope="col">Reason</th>
              <th scope="col">Covers</th>
              <th scope="col">Placed by</th>
              <th scope="col">Placed at</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {props.holds.map((h) => (
              <tr key={h.id} data-hold={h.id}>
                <td>{text(h.matter)}</td>
                <td>{text(h.reason)}</td>
                <td>{text(criteria(h))}</td>
                <td>{text(h.placed_by)}</td>
                <td>{shortTime(h.placed_at)}</td>
                <td class={h.released_at === null ? '' : 'muted'}>{text(state(h))}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {props.canManage ? <PlaceHoldForm onChanged={props.onChanged} /> : null}
      {props.canManage && props.holds.some((h) => h.released_at === null) ? (
        <ReleaseHoldForm
          live={props.holds.filter((h) => h.released_at === null)}
          onChanged={props.onChanged}
        />
      ) : null}
    </section>
  );
}

function PlaceHoldForm(props: { onChanged: () => void }) {
  const [values, setValues] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(undefined);
  const [placed, setPlaced] = useState<Hold | undefined>(undefined);
  const input = (name: string, label: string, required = false) => (
    <Field label={label} path={`hold.${name}`} error={errorFor(error, name)} value={values[name]}>
      {(aria) => (
        <input
          {...aria}
          required={required}
          value={values[name] ?? ''}
          onInput={(e) => {
            const value = e.currentTarget.value;
            setValues((v) => ({ ...v, [name]: value }));
          }}
        />
      )}
    </Field>
  );
  return (
    <form
      class="actions"
      aria-label="Place a legal hold"
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        setPlaced(undefined);
        const body: Record<string, string> = {};
        for (const name of PLACE_FIELDS) {
          const value = (values[name] ?? '').trim();
          if (value !== '') body[name] = value;
        }
        apiPost<{ hold: Hold }>('/api/v1/holds', body).then((answer) => {
          setPlaced(answer.hold);
          setValues({});
          props.onChanged();
        }, setError);
      }}
    >
      <h3>Place a hold</h3>
      {input('matter', 'Matter', true)}
      {input('reason', 'Reason', true)}
      {input('source', 'Source')}
      {input('actor_id', 'Actor id')}
      {input('target_id', 'Target id')}
      {input('from', 'Received from (RFC 3339)')}
      {input('to', 'Received to (RFC 3339)')}
      <button type="submit">Place hold</button>
      {PLACE_FIELDS.includes(errorField(error) ?? '') ? null : <ErrorNote error={error} />}
      {placed ? (
        <p class="notice" role="status">
          Hold {placed.id} placed for “{text(placed.matter)}”: it applies now.
        </p>
      ) : null}
    </form>
  );
}

function ReleaseHoldForm(props: { live: Hold[]; onChanged: () => void }) {
  const [holdId, setHoldId] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [asked, setAsked] = useState<Approval | undefined>(undefined);
  return (
    <form
      class="actions"
      aria-label="Ask to release a legal hold"
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        setAsked(undefined);
        apiPost<{ approval: Approval }>(
          `/api/v1/holds/${encodeURIComponent(holdId)}/release`,
          reason.trim() === '' ? {} : { reason: reason.trim() },
        ).then((answer) => {
          setAsked(answer.approval);
          setReason('');
          props.onChanged();
        }, setError);
      }}
    >
      <h3>Ask to release a hold</h3>
      <label>
        Hold
        <select required value={holdId} onChange={(e) => setHoldId(e.currentTarget.value)}>
          <option value="">choose…</option>
          {props.live.map((h) => (
            <option key={h.id} value={h.id}>
              {text(h.matter)} ({h.id})
            </option>
          ))}
        </select>
      </label>
      <label>
        Reason for the release
        <input value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
      </label>
      <button type="submit">Ask to release</button>
      <ErrorNote error={error} />
      {asked ? (
        <p class="notice" role="status">
          Release requested (request {asked.id}, {asked.status}): a different admin approves it
          under Admin → Pending approvals; the hold stays live until then.
        </p>
      ) : null}
    </form>
  );
}
