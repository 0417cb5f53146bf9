import { useState } from 'preact/hooks';
import { apiPut } from '../../api.js';
import { shortTime, text } from '../../format.js';
import { ErrorNote } from '../error-note.js';
import { errorField, errorFor, Field } from '../field.js';
import { type Approval, type Policy, periodLabel, sourceLabel } from './types.js';

/** The fields whose server complaint is shown beside them (the rest above the form). */
const FIELDS = ['source', 'min', 'max', 'reason'];

type SetAnswer = { policy: Policy } | { approval: Approval; shortens: string[] };

/** The policies in force, and (for retention.manage) the form that sets one. */
export function RetentionPolicies(props: {
  policies: Policy[];
  canManage: boolean;
  onChanged: () => void;
}) {
  return (
    <section aria-labelledby="policies-heading">
      <h2 id="policies-heading">Policies in force</h2>
      {props.policies.length === 0 ? (
        <p>No policy: every source keeps its events forever.</p>
      ) : (
        <table class="policies">
          <thead>
            <tr>
              <th scope="col">Source</th>
              <th scope="col">Minimum</th>
              <th scope="col">Maximum</th>
              <th scope="col">Archive before purge</th>
              <th scope="col">Set by</th>
              <th scope="col">Set at</th>
            </tr>
          </thead>
          <tbody>
            {props.policies.map((p) => (
              <tr key={p.source}>
                <td>{text(sourceLabel(p.source))}</td>
                <td>{text(periodLabel(p.min, 'none'))}</td>
                <td>{text(periodLabel(p.max, 'forever'))}</td>
                <td>{p.archive ? 'yes' : 'no'}</td>
                <td>{text(p.updated_by)}</td>
                <td>{shortTime(p.updated_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">
        The log’s own events (source evident) are never purged. Age is measured on the server’s
        received time.
      </p>
      {props.canManage ? <SetPolicyForm onChanged={props.onChanged} /> : null}
    </section>
  );
}

function SetPolicyForm(props: { onChanged: () => void }) {
  const [source, setSource] = useState('*');
  const [min, setMin] = useState('');
  const [max, setMax] = useState('');
  const [archive, setArchive] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const [outcome, setOutcome] = useState<string | undefined>(undefined);
  const fieldError = (name: string) => errorFor(error, name);
  return (
    <form
      class="actions"
      aria-label="Set a retention policy"
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        setOutcome(undefined);
        apiPut<SetAnswer>('/api/v1/retention', {
          source: source.trim(),
          min: min.trim() === '' ? null : min.trim(),
          max: max.trim() === '' ? null : max.trim(),
          archive,
          ...(reason.trim() === '' ? {} : { reason: reason.trim() }),
        }).then((answer) => {
          setOutcome(
            'policy' in answer
              ? `Applied: the policy of ${sourceLabel(answer.policy.source)} is in force now.`
              : `Shortening (${answer.shortens.join(', ')}) went to a second admin for approval: request ${answer.approval.id}, ${answer.approval.status} until ${shortTime(answer.approval.expires_at)}. Nothing changes until it is approved.`,
          );
          props.onChanged();
        }, setError);
      }}
    >
      <h3>Set a policy</h3>
      <Field label="Source (* for the default)" path="policy.source" error={fieldError('source')}>
        {(aria) => (
          <input
            {...aria}
            required
            value={source}
            onInput={(e) => setSource(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label="Minimum (P90D, P12M; empty: none)" path="policy.min" error={fieldError('min')}>
        {(aria) => <input {...aria} value={min} onInput={(e) => setMin(e.currentTarget.value)} />}
      </Field>
      <Field label="Maximum (empty: forever)" path="policy.max" error={fieldError('max')}>
        {(aria) => <input {...aria} value={max} onInput={(e) => setMax(e.currentTarget.value)} />}
      </Field>
      <label class="toggle">
        <input
          type="checkbox"
          checked={archive}
          onChange={(e) => setArchive(e.currentTarget.checked)}
        />
        Archive before purge
      </label>
      <Field label="Reason" path="policy.reason" error={fieldError('reason')}>
        {(aria) => (
          <input {...aria} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        )}
      </Field>
      <button type="submit">Set policy</button>
      {FIELDS.includes(errorField(error) ?? '') ? null : <ErrorNote error={error} />}
      {outcome ? (
        <p class="notice" role="status">
          {text(outcome)}
        </p>
      ) : null}
    </form>
  );
}
