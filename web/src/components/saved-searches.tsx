import { useEffect, useState } from 'preact/hooks';
import { apiDelete, apiGet, apiPost } from '../api.js';
import { href } from '../router.js';
import { ErrorNote } from './error-note.js';
import { Link } from './link.js';

interface Saved {
  id: string;
  name: string;
  query: string;
  range: string;
}

/** Where an earlier dashboard kept saved searches, per person, in this browser only. */
const LEGACY_KEY = 'evident.saved-searches:';

function legacySaved(principalId: string): { name: string; q: string; range: string }[] {
  try {
    const value: unknown = JSON.parse(
      window.localStorage.getItem(LEGACY_KEY + principalId) ?? '[]',
    );
    return Array.isArray(value)
      ? value.filter(
          (s): s is { name: string; q: string; range: string } =>
            typeof s?.name === 'string' && typeof s?.q === 'string' && typeof s?.range === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

/**
 * Moves searches an earlier dashboard saved in this browser to the server, once: the copy
 * in the browser is removed only when every one of them was saved.
 */
async function migrateLegacy(principalId: string): Promise<void> {
  const legacy = legacySaved(principalId);
  for (const s of legacy) {
    if (s.name.trim() === '' || (s.q === '' && s.range === '')) continue;
    await apiPost('/api/v1/saved-searches', {
      name: s.name.slice(0, 100),
      query: s.q,
      range: s.range,
    });
  }
  window.localStorage.removeItem(LEGACY_KEY + principalId);
}

/** The signed-in person's saved searches, kept on the server (each person sees their own). */
export function SavedSearches(props: { principalId: string; q: string; range: string }) {
  const [saved, setSaved] = useState<Saved[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [name, setName] = useState('');
  const reload = () =>
    apiGet<{ saved_searches: Saved[] }>('/api/v1/saved-searches').then(
      (r) => setSaved(r.saved_searches),
      setError,
    );
  useEffect(() => {
    migrateLegacy(props.principalId).then(reload, (e: unknown) => {
      setError(e);
      reload();
    });
  }, [props.principalId]);

  const act = (work: Promise<unknown>) =>
    work.then(
      () => {
        setError(undefined);
        return reload();
      },
      (e: unknown) => setError(e),
    );
  const empty = props.q === '' && props.range === '';
  return (
    <details class="saved">
      <summary>Saved searches ({saved?.length ?? '…'})</summary>
      <ul>
        {(saved ?? []).map((s) => (
          <li key={s.id}>
            <Link href={href('/', { q: s.query, range: s.range })}>{s.name}</Link>{' '}
            <button
              type="button"
              class="link"
              aria-label={`Forget ${s.name}`}
              onClick={() => act(apiDelete(`/api/v1/saved-searches/${encodeURIComponent(s.id)}`))}
            >
              forget
            </button>
          </li>
        ))}
      </ul>
      <form
        class="save-search"
        onSubmit={(e) => {
          e.preventDefault();
          const chosen = name.trim() || props.q || props.range;
          act(
            apiPost('/api/v1/saved-searches', {
              name: chosen.slice(0, 100),
              query: props.q,
              range: props.range,
            }),
          ).then(() => setName(''));
        }}
      >
        <label for="saved-name">Name for this search</label>
        <input
          id="saved-name"
          value={name}
          maxLength={100}
          placeholder={props.q || props.range}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        <button type="submit" disabled={empty}>
          Save this search
        </button>
      </form>
      <ErrorNote error={error} />
    </details>
  );
}
