import { useEffect, useRef, useState } from 'react';
import { describeError } from '../../api/client';

export interface Answer<T> {
  data: T | null;
  error: string | null;
  /** True while the answer for the current key is on its way. */
  loading: boolean;
}

/**
 * The answer of `load` for `key` (null: nothing to ask). A new key asks again and drops any answer
 * still coming for the old one. With `keepPrevious`, the last answer stays on screen while the
 * next loads (a file growing by a few lines does not blink).
 */
export function useAnswer<T>(key: string | null, load: () => Promise<T>, options: { keepPrevious?: boolean } = {}): Answer<T> {
  const [state, setState] = useState<{ key: string | null; data: T | null; error: string | null; done: boolean }>({ key: null, data: null, error: null, done: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const keep = options.keepPrevious === true;
  useEffect(() => {
    if (key === null) {
      setState({ key, data: null, error: null, done: true });
      return undefined;
    }
    let current = true;
    setState((s) => ({ key, data: keep ? s.data : null, error: null, done: false }));
    loadRef.current().then(
      (data) => current && setState({ key, data, error: null, done: true }),
      (error: unknown) => current && setState((s) => ({ key, data: keep ? s.data : null, error: describeError(error), done: true })),
    );
    return () => {
      current = false;
    };
  }, [key, keep]);
  const fresh = state.key === key;
  return { data: fresh || keep ? state.data : null, error: fresh ? state.error : null, loading: key !== null && (!fresh || !state.done) };
}
