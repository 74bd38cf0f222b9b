/** Requests within this window become one fetch. */
export const COALESCE_MS = 60;
/** At most one fetch starts per this interval, however many events ask for one. */
export const MIN_INTERVAL_MS = 400;
/** A slow answer (a long transcript the daemon parses whole) spaces the next fetch by this many times its duration. */
export const SLOW_FACTOR = 4;

export interface Refetcher {
  /** Fetches now (the first load). */
  start(): void;
  /** Asks for a fresh copy: calls close together become one fetch, never two at once. */
  request(): void;
  /** Stops: no more fetches, answers still in flight are dropped. */
  dispose(): void;
}

/**
 * Coalesced refetching of one resource: requests within `COALESCE_MS` are one fetch, fetches start
 * at least `MIN_INTERVAL_MS` (or `SLOW_FACTOR` × the last fetch's duration) apart, one at a time;
 * a request during a fetch runs once more after it.
 */
export function createRefetcher<T>(load: () => Promise<T>, onResult: (result: { data: T } | { error: unknown }) => void): Refetcher {
  let inFlight = false;
  let again = false;
  let disposed = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastStart = 0;
  let lastDuration = 0;

  function start(): void {
    if (disposed) return;
    if (inFlight) {
      again = true;
      return;
    }
    inFlight = true;
    lastStart = Date.now();
    load()
      .then(
        (data) => !disposed && onResult({ data }),
        (error: unknown) => !disposed && onResult({ error }),
      )
      .finally(() => {
        lastDuration = Date.now() - lastStart;
        inFlight = false;
        if (again && !disposed) {
          again = false;
          request();
        }
      });
  }

  function request(): void {
    if (disposed || timer !== null) return;
    const spacing = Math.max(MIN_INTERVAL_MS, SLOW_FACTOR * lastDuration);
    const wait = Math.max(COALESCE_MS, lastStart + spacing - Date.now());
    timer = setTimeout(() => {
      timer = null;
      start();
    }, wait);
  }

  return {
    start,
    request,
    dispose() {
      disposed = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
