/**
 * The look a hub takes at a bare host every few seconds while its link is up. Two failed looks in
 * a row end the session (the host connection then finds out again what the host can run).
 */
import createDebug from 'debug';
import type { BareHost } from './bare-host.js';

const log = createDebug('flotilla:mesh:bare');
const FAILURES_TO_GIVE_UP = 2;

export interface PollBareHostOptions {
  host: BareHost;
  intervalMs: number;
  signal: AbortSignal;
  /** After every successful look: its round trip in ms. */
  onLook?(ms: number): void;
  /** Two looks failed in a row. */
  onGiveUp?(error: Error): void;
}

/** Resolves when `signal` aborts or the looks keep failing. */
export async function pollBareHost(options: PollBareHostOptions): Promise<void> {
  const { host, signal } = options;
  let failures = 0;
  while (!signal.aborted) {
    await sleep(options.intervalMs, signal);
    if (signal.aborted) return;
    try {
      await host.look();
      failures = 0;
      if (host.lastLookMs !== null) options.onLook?.(host.lastLookMs);
    } catch (error) {
      failures += 1;
      log('%s: look failed (%d): %s', host.name, failures, (error as Error).message);
      if (failures >= FAILURES_TO_GIVE_UP) {
        options.onGiveUp?.(error as Error);
        return;
      }
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
