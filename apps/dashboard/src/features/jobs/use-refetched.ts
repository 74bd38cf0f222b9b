import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/client';
import { createRefetcher, type Refetcher } from './refetcher';

export interface Refetched<T> {
  data: T | null;
  error: string | null;
  /** True until the first answer (or error) for the current key. */
  loading: boolean;
  /** Asks for a fresh copy; calls close together become one fetch, never two at once. */
  refetch: () => void;
}

interface State<T> {
  key: string;
  data: T | null;
  error: string | null;
  done: boolean;
}

/**
 * Data fetched for `key` (a job id…) and fetched again, coalesced (see `createRefetcher`), when
 * `refetch` is called (on events, on a poll). `load` null means there is nothing to fetch. A new
 * key starts afresh; an answer for an old key is dropped. The data stays on screen while a refetch
 * runs (no flicker), and an answer `same` as the last keeps the old object (nothing re-renders).
 */
export function useRefetched<T>(key: string, load: (() => Promise<T>) | null, same?: (a: T, b: T) => boolean): Refetched<T> {
  const [state, setState] = useState<State<T>>({ key, data: null, error: null, done: false });
  const loadRef = useRef(load);
  loadRef.current = load;
  const sameRef = useRef(same);
  sameRef.current = same;
  const refetcher = useRef<Refetcher | null>(null);
  const hasLoad = load !== null;

  useEffect(() => {
    setState((s) => (s.key === key ? s : { key, data: null, error: null, done: false }));
    if (!hasLoad) return undefined;
    const r = createRefetcher(
      () => loadRef.current?.() ?? Promise.reject(new Error('nothing to load')),
      (result) =>
        setState((s) => {
          if (s.key !== key) return s;
          if ('error' in result) return { ...s, error: describeError(result.error), done: true };
          const unchanged = s.done && s.data !== null && s.error === null && sameRef.current?.(s.data, result.data) === true;
          return unchanged ? s : { key, data: result.data, error: null, done: true };
        }),
    );
    refetcher.current = r;
    r.start();
    return () => {
      r.dispose();
      if (refetcher.current === r) refetcher.current = null;
    };
  }, [key, hasLoad]);

  const refetch = useCallback(() => refetcher.current?.request(), []);
  const current = state.key === key ? state : { data: null, error: null, done: false };
  return { data: current.data, error: current.error, loading: hasLoad && !current.done, refetch };
}
