import { useState } from 'preact/hooks';

/**
 * A date picker that writes terms into the query (so the URL still holds the whole search):
 * `from:`/`to:` for received time, `time_from:`/`time_to:` for the source's event time.
 * The inputs are in the browser's local time; the terms are UTC.
 */
export function DateRange(props: { onApply: (terms: string) => void }) {
  const [kind, setKind] = useState<'received' | 'event'>('received');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const iso = (local: string) => (local === '' ? undefined : new Date(local).toISOString());
  return (
    <details class="date-range">
      <summary>Date range…</summary>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const [fromKey, toKey] = kind === 'received' ? ['from', 'to'] : ['time_from', 'time_to'];
          const terms = [
            iso(from) ? `${fromKey}:${iso(from)}` : '',
            iso(to) ? `${toKey}:${iso(to)}` : '',
          ].filter((t) => t !== '');
          if (terms.length > 0) props.onApply(terms.join(' '));
        }}
      >
        <label>
          Time of
          <select
            value={kind}
            onChange={(e) => setKind(e.currentTarget.value as 'received' | 'event')}
          >
            <option value="received">receipt (server clock)</option>
            <option value="event">event (source clock)</option>
          </select>
        </label>
        <label>
          From
          <input
            type="datetime-local"
            value={from}
            onInput={(e) => setFrom(e.currentTarget.value)}
          />
        </label>
        <label>
          To
          <input type="datetime-local" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit">Add to query</button>
      </form>
    </details>
  );
}
