import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import type { FlotillaEvent } from '@flotilla/protocol';
import type { LiveState } from './live-state';
import type { LiveStore } from './live-store';

export const LiveStoreContext = createContext<LiveStore | null>(null);

export function useLiveStore(): LiveStore {
  const store = useContext(LiveStoreContext);
  if (!store) throw new Error('useLiveStore outside <LiveStoreContext.Provider>');
  return store;
}

/**
 * A slice of the live state; the component re-renders when the slice changes (by identity). The
 * selector must return a stored reference or a primitive (`s => s.jobs`), never a new object or
 * array on every call: derive lists with `useMemo` from what it returns.
 */
export function useLive<T>(select: (state: LiveState) => T): T {
  const store = useLiveStore();
  return useSyncExternalStore(store.subscribe, () => select(store.getState()));
}

/** Calls `listener` for every applied event while mounted. */
export function useLiveEvents(listener: (event: FlotillaEvent) => void): void {
  const store = useLiveStore();
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => store.onEvent((event) => latest.current(event)), [store]);
}

/** Re-renders every `ms` (durations like "waiting 3 min" stay true without events). */
export function useNow(ms = 1000): number {
  return useSyncExternalStore(
    (notify) => {
      const timer = setInterval(notify, ms);
      return () => clearInterval(timer);
    },
    () => Math.floor(Date.now() / ms) * ms,
  );
}
