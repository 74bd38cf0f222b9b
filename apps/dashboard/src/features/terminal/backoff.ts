/**
 * When to try the terminal stream again after it dropped (a daemon restart, a network blip):
 * quickly at first, then doubling up to a ceiling, with a little jitter so a restarted daemon is
 * not hit by every open page in the same millisecond. A stream that reached `hello` resets it.
 */
export interface BackoffOptions {
  /** First delay. */
  minMs: number;
  /** Ceiling: a page left open across a long outage still retries this often. */
  maxMs: number;
  /** Fraction of the delay added at random (0 = none). */
  jitter: number;
  /** A number in [0, 1); injectable for tests. */
  random?: () => number;
}

export const TERMINAL_BACKOFF: BackoffOptions = { minMs: 500, maxMs: 10_000, jitter: 0.2 };

/** The delay before retry number `attempt` (0 = the first retry). */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const base = Math.min(options.maxMs, options.minMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  const random = options.random ?? Math.random;
  return Math.round(Math.min(options.maxMs, base + base * options.jitter * random()));
}

/** Counts the attempts: `next()` gives the delay to wait and counts one; `reset()` after a good connection. */
export interface Backoff {
  next(): number;
  reset(): void;
  readonly attempts: number;
}

export function createBackoff(options: BackoffOptions = TERMINAL_BACKOFF): Backoff {
  let attempts = 0;
  return {
    next() {
      const delay = backoffDelay(attempts, options);
      attempts += 1;
      return delay;
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
