import { useSyncExternalStore } from 'react';

/**
 * One interval timer shared by every countdown on the page: a board of fifty leased cards ticks
 * once a second with one timer, not fifty, and the timer stops when the last countdown unmounts.
 */
export interface Clock {
  subscribe(listener: () => void): () => void;
  now(): number;
}

export function createClock(ms: number, timers: Pick<typeof globalThis, 'setInterval' | 'clearInterval'> = globalThis): Clock {
  const listeners = new Set<() => void>();
  let timer: ReturnType<typeof setInterval> | null = null;
  let current = Date.now();
  function tick(): void {
    current = Date.now();
    for (const listener of listeners) listener();
  }
  return {
    subscribe(listener) {
      listeners.add(listener);
      if (timer === null) {
        current = Date.now();
        timer = timers.setInterval(tick, ms);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== null) {
          timers.clearInterval(timer);
          timer = null;
        }
      };
    },
    now: () => current,
  };
}

/** The page's one second clock for lease countdowns. */
export const secondClock = createClock(1000);

/** The clock's time; the component re-renders on each tick (only the countdowns subscribe). */
export function useClock(clock: Clock = secondClock): number {
  return useSyncExternalStore(clock.subscribe, clock.now);
}
