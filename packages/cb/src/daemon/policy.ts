import { RETRY_CLASS, type Failure, type Job, type JobStatus } from '@flotilla/protocol';

export interface RetryPolicy {
  maxInfraRetries: number;
  backoff: { baseMs: number; maxMs: number };
}

export interface FailureDecision {
  status: Extract<JobStatus, 'retry_wait' | 'failed' | 'dead'>;
  /** When the job may run again (retry_wait only). */
  retryAt: string | null;
  consumedAttempt: boolean;
  attemptsUsed: number;
  infraRetries: number;
  /** Model for the next attempt, escalating along the job's ladder. */
  nextModel: string | null;
}

/** A rate limit without a known reset waits at least this long before retrying. */
const RATE_LIMIT_FLOOR_MS = 60_000;
/** Margin after a provider's reset time, so the first request after it is not refused again. */
const RESET_MARGIN_MS = 5_000;

export function backoffMs(n: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.backoff.maxMs, policy.backoff.baseMs * 2 ** Math.max(0, n - 1));
  return Math.round(exp * (0.8 + 0.4 * random()));
}

/** The model for the attempt that follows `attemptsUsed` task attempts. */
export function modelForAttempt(job: Pick<Job, 'model' | 'modelLadder'>, attemptsUsed: number): string | null {
  const ladder = job.modelLadder;
  if (ladder.length === 0) return job.model;
  return ladder[Math.min(attemptsUsed, ladder.length - 1)] ?? job.model;
}

/**
 * What happens to a job after a failed attempt. Task faults consume an attempt and escalate the
 * model; infrastructure faults retry without consuming one, capped; credential faults never retry.
 * "dead" means we gave up after retrying; "failed" means no retry was possible.
 */
export function decideAfterFailure(job: Job, failure: Failure, policy: RetryPolicy, now: Date): FailureDecision {
  const klass = failure.kind === 'timeout' && failure.timeout === 'idle' ? 'infra' : RETRY_CLASS[failure.kind];
  const base = { retryAt: null, consumedAttempt: false, attemptsUsed: job.attemptsUsed, infraRetries: job.infraRetries, nextModel: job.model };
  if (klass === 'never') return { ...base, status: 'failed' };
  if (klass === 'consume') {
    const attemptsUsed = job.attemptsUsed + 1;
    const consumed = { ...base, consumedAttempt: true, attemptsUsed };
    if (attemptsUsed >= job.maxAttempts) return { ...consumed, status: job.maxAttempts > 1 ? 'dead' : 'failed' };
    const retryAt = new Date(now.getTime() + backoffMs(attemptsUsed, policy)).toISOString();
    return { ...consumed, status: 'retry_wait', retryAt, nextModel: modelForAttempt(job, attemptsUsed) };
  }
  const infraRetries = job.infraRetries + 1;
  if (infraRetries > policy.maxInfraRetries) return { ...base, infraRetries, status: 'dead' };
  return { ...base, infraRetries, status: 'retry_wait', retryAt: infraRetryAt(failure, infraRetries, policy, now) };
}

function infraRetryAt(failure: Failure, n: number, policy: RetryPolicy, now: Date): string {
  const delay = backoffMs(n, policy);
  if (failure.kind !== 'rate_limited') return new Date(now.getTime() + delay).toISOString();
  if (failure.resetsAt) return new Date(Math.max(now.getTime(), Date.parse(failure.resetsAt)) + RESET_MARGIN_MS).toISOString();
  return new Date(now.getTime() + Math.max(delay, RATE_LIMIT_FLOOR_MS)).toISOString();
}
