import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/client';

/** Requests within this window become one fetch. */
const COALESCE_MS = 60;
/** At most one fetch starts per this interval, however many events ask for one. */
const MIN_INTERVAL_MS = 400;

export interface Refetched<T> {
  data: T | null;
  error: string | null;
  /** True until the first answer (or error) for the current key. */
  loading: boolean;
  /** Asks for a fresh copy; calls close together become one fetch, never two at once. */
  refetch: () => void;
}

/**
 * Data fetched for `key` (a job id…) and fetched again, coalesced, when `refetch` is called (on
 * events, on a poll). `load` null means there is nothing to fetch. A new key starts afresh; an
 * answer for an old key is dropped. The data stays on screen while a refetch runs (no flicker).
 */
export function useRefetched<T>(key: string, load: (() => Promise<T>) | null): Refetched<T> {
  const [state, setState] = useState<{ key: string; data: T | null; error: string | null; done: boolean }>({ key, data: null, error: null, done: false });
  const loadRef = useRef(load);
  loadRef.current = load;
  const run = useRef({ key, inFlight: false, again: false, timer: null as ReturnType<typeof setTimeout> | null, lastStart: 0 });

  const start = useCallback((): void => {
    const r = run.current;
    const fetcher = loadRef.current;
    if (!fetcher) return;
    if (r.inFlight) {
      r.again = true;
      return;
    }
    r.inFlight = true;
    r.lastStart = Date.now();
    const forKey = r.key;
    const settle = (patch: { data?: T; error: string | null }) => {
      if (run.current.key !== forKey) return;
      setState((s) => (s.key === forKey ? { ...s, ...patch, done: true } : s));
    };
    fetcher().then(
      (data) => settle({ data, error: null }),
      (error: unknown) => settle({ error: describeError(error) }),
    ).finally(() => {
      if (run.current.key !== forKey) return;
      r.inFlight = false;
      if (r.again) {
        r.again = false;
        schedule();
      }
    });
  }, []);

  const schedule = useCallback((): void => {
    const r = run.current;
    if (r.timer !== null) return;
    const wait = Math.max(COALESCE_MS, r.lastStart + MIN_INTERVAL_MS - Date.now());
    r.timer = setTimeout(() => {
      r.timer = null;
      start();
    }, wait);
  }, [start]);

  const hasLoad = load !== null;
  useEffect(() => {
    const r = { key, inFlight: false, again: false, timer: null as ReturnType<typeof setTimeout> | null, lastStart: 0 };
    run.current = r;
    setState((s) => (s.key === key ? s : { key, data: null, error: null, done: false }));
    if (hasLoad) start();
    return () => {
      if (r.timer !== null) clearTimeout(r.timer);
      r.key = '';
    };
  }, [key, hasLoad, start]);

  const current = state.key === key ? state : { data: null, error: null, done: false };
  return { data: current.data, error: current.error, loading: hasLoad && !current.done, refetch: schedule };
}
