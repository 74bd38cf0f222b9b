import type { FailureKind } from '@flotilla/protocol';

/**
 * Whether a failed run uses one of the ticket's attempts. Only the ticket's own failures do;
 * infrastructure (rate limits, auth, fast failures, overload, crashes, interruptions, a model the
 * credential cannot use) never does — 46 rate-limited sessions must not burn 46 × 3 attempts.
 * A `Record` over every kind, so a new failure kind fails to compile until it is decided here.
 */
export const ATTEMPT_COST: Readonly<Record<FailureKind, 'burns' | 'free'>> = {
  task: 'burns',
  permission_denied: 'burns',
  timeout: 'burns',
  context_overflow: 'burns',
  budget_exceeded: 'burns',
  rate_limited: 'free',
  auth_failed: 'free',
  billing: 'free',
  model_not_found: 'free',
  overloaded: 'free',
  crashed: 'free',
  interrupted: 'free',
  fast_fail: 'free',
};

export function burnsAttempt(kind: FailureKind): boolean {
  return ATTEMPT_COST[kind] === 'burns';
}

/**
 * The model for a ticket's next attempt: `ladder[min(failedAttempts, last)]`. With the default
 * ladder `sonnet, sonnet, opus`, a ticket that failed twice runs on opus.
 */
export function modelForAttempt(ladder: readonly string[], failedAttempts: number): string {
  const model = ladder[Math.min(failedAttempts, ladder.length - 1)];
  if (model === undefined) throw new Error('the model ladder is empty');
  return model;
}
