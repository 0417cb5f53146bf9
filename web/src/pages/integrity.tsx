import { useEffect, useState } from 'preact/hooks';
import { apiGet } from '../api.js';
import { ErrorNote } from '../components/error-note.js';
import { shortTime } from '../format.js';
import { browserKeyPins } from '../key-pin.js';
import { checkPastedCheckpoint } from '../verify-consistency.js';

interface LogInfo {
  origin: string;
  verifier_key: string;
  tree_size: number;
  root_hash: string;
  checkpoint: string;
}

interface KeyList {
  current: string;
  keys: {
    key_id: string;
    verifier_key: string;
    from_size: number;
    until_size: number | null;
    from_time: string;
  }[];
}

/**
 * The log's state: the current signed checkpoint, the key history, the key this browser
 * pinned, and the same check as `evident proof --since`: does the log still extend a
 * checkpoint the person kept?
 */
export function IntegrityPage() {
  const [log, setLog] = useState<LogInfo | undefined>(undefined);
  const [keys, setKeys] = useState<KeyList | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [pasted, setPasted] = useState('');
  const [result, setResult] = useState<{ ok: boolean; message: string } | undefined>();
  const [pin, setPin] = useState<string | undefined>(undefined);
  useEffect(() => {
    apiGet<LogInfo>('/api/v1/log').then((l) => {
      setLog(l);
      setPin(browserKeyPins.get(l.origin));
    }, setError);
    apiGet<KeyList>('/api/v1/log/keys').then(setKeys, setError);
  }, []);
  return (
    <section class="integrity">
      <h1>Integrity</h1>
      <ErrorNote error={error} />
      {log ? (
        <>
          <h2>Current checkpoint</h2>
          <p>
            Log <span class="mono">{log.origin}</span>, {log.tree_size} entries, root{' '}
            <span class="mono">{log.root_hash}</span>.
          </p>
          <pre class="checkpoint">{log.checkpoint}</pre>
          <h2>Key pinned in this browser</h2>
          {pin ? (
            <p>
              <span class="mono">{pin}</span>{' '}
              <button
                type="button"
                onClick={() => {
                  browserKeyPins.clear(log.origin);
                  setPin(undefined);
                }}
              >
                Forget this pin
              </button>
            </p>
          ) : (
            <p>None yet: the first verification pins the log's current key.</p>
          )}
        </>
      ) : null}
      {keys ? (
        <>
          <h2>Key history</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Signs tree sizes</th>
                <th scope="col">Since</th>
                <th scope="col">Verifier key</th>
              </tr>
            </thead>
            <tbody>
              {keys.keys.map((k) => (
                <tr key={k.key_id}>
                  <td class="mono">{k.key_id}</td>
                  <td>
                    {k.from_size}–{k.until_size ?? 'now'}
                  </td>
                  <td>{shortTime(k.from_time)}</td>
                  <td class="mono">{k.verifier_key}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <h2>Check a checkpoint you kept</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setResult(undefined);
          checkPastedCheckpoint(pasted).then(setResult, (err: unknown) =>
            setResult({ ok: false, message: err instanceof Error ? err.message : String(err) }),
          );
        }}
      >
        <label>
          Signed checkpoint
          <textarea
            class="mono"
            rows={6}
            value={pasted}
            onInput={(e) => setPasted(e.currentTarget.value)}
          />
        </label>
        <button type="submit">Check consistency</button>
      </form>
      {result ? (
        <p class={result.ok ? 'verify-ok' : 'verify-failed'} role="status">
          {result.message}
        </p>
      ) : null}
    </section>
  );
}
