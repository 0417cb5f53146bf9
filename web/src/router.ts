import { useEffect, useState } from 'preact/hooks';

/** The location as the app routes on it: path and query, kept in the URL (shareable). */
export interface Location {
  path: string;
  params: URLSearchParams;
}

const listeners = new Set<() => void>();
const current = (): Location => ({
  path: window.location.pathname,
  params: new URLSearchParams(window.location.search),
});

window.addEventListener('popstate', () => {
  for (const l of listeners) l();
});

/** Pushes a history entry (the back button returns), or replaces the current one. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  for (const l of listeners) l();
}

export function useLocation(): Location {
  const [location, setLocation] = useState(current);
  useEffect(() => {
    const update = () => setLocation(current());
    listeners.add(update);
    return () => listeners.delete(update);
  }, []);
  return location;
}

/** `path?query` with empty values left out. */
export function href(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const text = q.toString();
  return text === '' ? path : `${path}?${text}`;
}
