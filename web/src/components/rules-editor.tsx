import { useEffect, useState } from 'preact/hooks';
import { apiGet, type apiSendText } from '../api.js';
import { ErrorNote } from './error-note.js';

interface Problem {
  line: number;
  col: number;
  path: string;
  message: string;
  text: string;
}

/**
 * The API layer of the alert rules as YAML: validate shows each problem with its line and
 * column (POST /api/v1/rules/validate), save applies it (PUT /api/v1/rules, audited).
 */
export function RulesEditor(props: { send: typeof apiSendText }) {
  const [yaml, setYaml] = useState('');
  const [problems, setProblems] = useState<Problem[] | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    apiGet<{ layers: { layer: string; text: string }[] }>('/api/v1/rules').then(
      (r) => setYaml(r.layers.find((l) => l.layer === 'api')?.text ?? 'rules: []\n'),
      setError,
    );
  }, []);
  const validate = () =>
    props
      .send<{ valid: boolean; problems: Problem[] }>(
        'POST',
        '/api/v1/rules/validate',
        yaml,
        'application/yaml',
      )
      .then((v) => {
        setProblems(v.problems);
        setError(undefined);
      }, setError);
  return (
    <div class="rules-editor">
      <label>
        Rules (YAML)
        <textarea
          class="mono"
          rows={12}
          spellcheck={false}
          value={yaml}
          onInput={(e) => {
            setYaml(e.currentTarget.value);
            setProblems(undefined);
            setSaved(undefined);
          }}
        />
      </label>
      <p>
        <button type="button" onClick={() => void validate()}>
          Validate
        </button>{' '}
        <button
          type="button"
          onClick={() =>
            void props
              .send<{ active_rules: number }>('PUT', '/api/v1/rules', yaml, 'application/yaml')
              .then((r) => {
                setSaved(`Saved: ${r.active_rules} active rules.`);
                setError(undefined);
              }, setError)
          }
        >
          Save
        </button>
      </p>
      {problems?.length === 0 ? <p role="status">Valid.</p> : null}
      {problems && problems.length > 0 ? (
        <div role="alert">
          <ul class="problems">
            {problems.map((p) => (
              <li key={p.text}>
                line {p.line}, column {p.col}: {p.path}: {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {saved ? <p role="status">{saved}</p> : null}
      <ErrorNote error={error} />
    </div>
  );
}
