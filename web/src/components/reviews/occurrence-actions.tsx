import { useState } from 'preact/hooks';
import { apiPost } from '../../api.js';
import { text } from '../../format.js';
import type { Principal } from '../../session.js';
import { ErrorNote } from '../error-note.js';
import type { OccurrenceView } from './types.js';

/** `reviewer:billing-*,hr-api auditor` → grants, as the API's roles take them. */
function parseRoles(value: string): { role: string; sources?: string[] }[] {
  return value
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => {
      const [role = '', sources] = word.split(':');
      return sources === undefined ? { role } : { role, sources: sources.split(',') };
    });
}

/**
 * The steps the API offers on an occurrence in its state: start, observe, decide (access
 * reviews), sign off, countersign. Shown only to its reviewers; refusals (separation of
 * duties: 403 own_actions_in_review) are shown as the server words them.
 */
export function OccurrenceActions(props: {
  occurrence: OccurrenceView;
  principal: Principal;
  /** Items an observation or decision can name, besides the review as a whole. */
  items: { value: string; label: string }[];
  onChanged: () => void;
}) {
  const o = props.occurrence;
  const url = `/api/v1/reviews/occurrences/${encodeURIComponent(o.id)}`;
  const [error, setError] = useState<unknown>(undefined);
  const [done, setDone] = useState<string | undefined>(undefined);
  const step = (path: string, body: unknown, what: string, after?: () => void) => {
    setError(undefined);
    setDone(undefined);
    apiPost(`${url}/${path}`, body).then(() => {
      setDone(what);
      after?.();
      props.onChanged();
    }, setError);
  };
  return (
    <section aria-labelledby="actions-heading">
      <h2 id="actions-heading">Work this review</h2>
      <ErrorNote error={error} />
      {done ? (
        <p class="notice" role="status">
          {done}
        </p>
      ) : null}
      <div class="actions">
        {o.status === 'open' ? (
          <button
            type="button"
            onClick={() =>
              step(
                'start',
                undefined,
                'Started: the review is pinned to the log’s current checkpoint.',
              )
            }
          >
            Start review
          </button>
        ) : null}
        {o.status === 'in_progress' ? (
          <>
            <ObserveForm
              items={props.items}
              onSubmit={(body, after) => step('observations', body, 'Observation noted.', after)}
            />
            {o.kind === 'access' ? (
              <DecideForm
                items={props.items}
                onSubmit={(body, after) => step('decisions', body, 'Decision recorded.', after)}
              />
            ) : null}
            <SignOffForm onSubmit={(body) => step('sign-off', body, 'Signed off.')} />
          </>
        ) : null}
        {o.status === 'awaiting_countersign' ? (
          <CountersignForm onSubmit={(body) => step('countersign', body, 'Countersigned.')} />
        ) : null}
      </div>
    </section>
  );
}

type Submit = (body: Record<string, unknown>, after: () => void) => void;

function ItemSelect(props: {
  label: string;
  items: { value: string; label: string }[];
  value: string;
  onChange: (value: string) => void;
  withReview: boolean;
}) {
  return (
    <label>
      {props.label}
      <select value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        {props.withReview ? <option value="review">the review as a whole</option> : null}
        {props.items.map((i) => (
          <option key={i.value} value={i.value}>
            {text(i.label)}
          </option>
        ))}
      </select>
    </label>
  );
}

function ObserveForm(props: { items: { value: string; label: string }[]; onSubmit: Submit }) {
  const [item, setItem] = useState('review');
  const [note, setNote] = useState('');
  const [openAlert, setOpenAlert] = useState(false);
  return (
    <form
      aria-label="Note an observation"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({ item, note, ...(openAlert ? { open_alert: true } : {}) }, () => {
          setNote('');
          setOpenAlert(false);
        });
      }}
    >
      <ItemSelect
        label="Observation on"
        items={props.items}
        value={item}
        onChange={setItem}
        withReview
      />
      <label>
        Observation
        <textarea required value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <label class="toggle">
        <input
          type="checkbox"
          checked={openAlert}
          onChange={(e) => setOpenAlert(e.currentTarget.checked)}
        />
        Open an alert from it
      </label>
      <button type="submit">Note observation</button>
    </form>
  );
}

function DecideForm(props: { items: { value: string; label: string }[]; onSubmit: Submit }) {
  const [item, setItem] = useState(props.items[0]?.value ?? '');
  const [decision, setDecision] = useState('keep');
  const [roles, setRoles] = useState('');
  const [note, setNote] = useState('');
  return (
    <form
      aria-label="Decide on a principal"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(
          { item, decision, note, ...(decision === 'change' ? { roles: parseRoles(roles) } : {}) },
          () => setNote(''),
        );
      }}
    >
      <ItemSelect
        label="Principal"
        items={props.items}
        value={item}
        onChange={setItem}
        withReview={false}
      />
      <label>
        Decision
        <select value={decision} onChange={(e) => setDecision(e.currentTarget.value)}>
          <option value="keep">keep</option>
          <option value="revoke">revoke (every role)</option>
          <option value="change">change roles</option>
        </select>
      </label>
      {decision === 'change' ? (
        <label>
          Roles to keep (e.g. reviewer:billing-* auditor)
          <input value={roles} onInput={(e) => setRoles(e.currentTarget.value)} />
        </label>
      ) : null}
      <label>
        Why
        <textarea required value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit">Record decision</button>
    </form>
  );
}

function SignOffForm(props: { onSubmit: (body: Record<string, unknown>) => void }) {
  const [decision, setDecision] = useState('no_findings');
  const [notes, setNotes] = useState('');
  return (
    <form
      aria-label="Sign off"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit({ decision, ...(notes.trim() === '' ? {} : { notes }) });
      }}
    >
      <label>
        Outcome
        <select value={decision} onChange={(e) => setDecision(e.currentTarget.value)}>
          <option value="no_findings">no findings</option>
          <option value="findings">findings</option>
        </select>
      </label>
      <label>
        Sign-off notes
        <textarea value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </label>
      <button type="submit">Sign off</button>
    </form>
  );
}

function CountersignForm(props: { onSubmit: (body: Record<string, unknown>) => void }) {
  const [notes, setNotes] = useState('');
  return (
    <form
      aria-label="Countersign"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(notes.trim() === '' ? {} : { notes });
      }}
    >
      <label>
        Countersign remarks
        <textarea value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
      </label>
      <button type="submit">Countersign</button>
    </form>
  );
}
