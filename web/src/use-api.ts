import { useEffect, useState } from 'preact/hooks';
import { apiGet, type Query } from './api.js';

export interface ApiAnswer<T> {
  data?: T;
  error?: unknown;
  /** True while the answer on screen is not for the current path and query. */
  loading: boolean;
}

/**
 * A GET kept in step with its path and query (and `refresh`, bumped to read again). An
 * answer remembers the request it answers, so a stale one is never shown as current.
 */
export function useApiGet<T>(
  path: string | undefined,
  query: Query = {},
  refresh = 0,
): ApiAnswer<T> {
  const key = path === undefined ? '' : JSON.stringify([path, query]);
  const [answer, setAnswer] = useState<{ key: string; data?: T; error?: unknown }>({ key: '' });
  useEffect(() => {
    if (path === undefined) return;
    let cancelled = false;
    apiGet<T>(path, query).then(
      (data) => {
        if (!cancelled) setAnswer({ key, data });
      },
      (error: unknown) => {
        if (!cancelled) setAnswer({ key, error });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [key, refresh]);
  const current = answer.key === key;
  return {
    ...(current && answer.data !== undefined ? { data: answer.data } : {}),
    ...(current && answer.error !== undefined ? { error: answer.error } : {}),
    loading: !current,
  };
}
