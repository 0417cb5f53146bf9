import { useState } from 'preact/hooks';
import { href } from '../router.js';
import { Link } from './link.js';

interface Saved {
  name: string;
  q: string;
  range: string;
}

const KEY = 'evident.saved-searches:';

function load(principalId: string): Saved[] {
  try {
    const value: unknown = JSON.parse(window.localStorage.getItem(KEY + principalId) ?? '[]');
    return Array.isArray(value)
      ? value.filter(
          (s): s is Saved =>
            typeof s?.name === 'string' && typeof s?.q === 'string' && typeof s?.range === 'string',
        )
      : [];
  } catch {
    return [];
  }
}

/**
 * Saved searches of the signed-in person, kept in this browser (per person id): the server
 * has no store for them yet, and a search is only its URL.
 */
export function SavedSearches(props: { principalId: string; q: string; range: string }) {
  const [saved, setSaved] = useState(() => load(props.principalId));
  const store = (next: Saved[]) => {
    window.localStorage.setItem(KEY + props.principalId, JSON.stringify(next));
    setSaved(next);
  };
  return (
    <details class="saved">
      <summary>Saved searches ({saved.length})</summary>
      <ul>
        {saved.map((s) => (
          <li key={s.name}>
            <Link href={href('/', { q: s.q, range: s.range })}>{s.name}</Link>{' '}
            <button
              type="button"
              class="link"
              aria-label={`Forget ${s.name}`}
              onClick={() => store(saved.filter((x) => x !== s))}
            >
              forget
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        disabled={props.q === '' && props.range === ''}
        onClick={() => {
          const name = props.q || props.range;
          store([
            ...saved.filter((s) => s.name !== name),
            { name, q: props.q, range: props.range },
          ]);
        }}
      >
        Save this search
      </button>
    </details>
  );
}
