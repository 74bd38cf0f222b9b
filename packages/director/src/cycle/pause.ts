import type { FailureKind } from '@flotilla/protocol';
import type { PauseState } from '../ledger/director-state.js';
import type { BatchReport } from './report.js';

/** Kinds that mean "the fleet cannot work right now", whatever the ticket. */
const STORM_KINDS: readonly FailureKind[] = ['rate_limited', 'fast_fail'];

/** A storm needs at least this many such runs in one cycle: one or two are noise. */
export const STORM_MIN_RUNS = 3;

/** Without a reset time from the agent, the first pause is this long, doubling per storm in a row… */
export const FIRST_BACKOFF_MS = 5 * 60_000;
/** …up to an hour. */
export const MAX_BACKOFF_MS = 60 * 60_000;

export interface Pause {
  /** Epoch ms. */
  until: number;
  reason: string;
}

export interface PauseGate {
  /** The pause in force at `now`, if any. */
  current(now: number): Pause | null;
  /**
   * Looks at one cycle's batches: when at least half of the runs that ended (and at least 3) were
   * rate-limited or fast failures, pauses until the latest reset the agents reported (or backs off)
   * and returns the pause — once, when it begins; a storm while paused extends it silently.
   */
  observe(batches: readonly BatchReport[], now: number): Pause | null;
  /** Everything the gate knows, to be kept in the ledger (a restarted director resumes it with `createPauseGate(state)`). */
  state(): PauseState;
}

/**
 * @example
 * const gate = createPauseGate();
 * const started = gate.observe(report.batches, Date.now());
 * if (started) notify(`pausing until ${new Date(started.until).toISOString()}: ${started.reason}`);
 */
export function createPauseGate(initial: PauseState | null = null): PauseGate {
  let pause: Pause | null = initial?.pause ? { until: initial.pause.until, reason: initial.pause.reason } : null;
  let startedAt = initial?.pause?.startedAt ?? 0;
  let backoffMs = initial?.backoffMs ?? FIRST_BACKOFF_MS;
  return {
    state: () => ({ pause: pause === null ? null : { ...pause, startedAt }, backoffMs }),
    current: (now) => (pause !== null && pause.until > now ? pause : null),
    observe(batches, now) {
      const ran = batches.filter((b) => b.model !== undefined);
      const storm = ran.filter((b) => b.failureKind !== undefined && STORM_KINDS.includes(b.failureKind));
      if (ran.length === 0) return null;
      if (storm.length < STORM_MIN_RUNS || storm.length * 2 < ran.length) {
        backoffMs = FIRST_BACKOFF_MS;
        return null;
      }
      const reported = storm.map((b) => (b.resetsAt ? Date.parse(b.resetsAt) : Number.NaN)).filter((t) => Number.isFinite(t));
      // Every storm run said when its limit resets and the cycle outlasted them all (cb held the queued jobs until then): nothing to wait for.
      if (reported.length === storm.length && reported.every((t) => t <= now)) return null;
      const resets = reported.filter((t) => t > now);
      const until = resets.length > 0 ? Math.max(...resets) : now + backoffMs;
      if (resets.length === 0) backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      const reason = `${storm.length} of ${ran.length} runs this cycle were rate-limited or failed fast`;
      const wasPaused = pause !== null && pause.until > now;
      if (!wasPaused) startedAt = now;
      pause = { until: Math.max(until, wasPaused ? pause!.until : 0), reason };
      return wasPaused ? null : pause;
    },
  };
}
