import { z } from 'zod';

/** Every status a job can be in. A retry or resume is a new attempt of the same job. */
export const JOB_STATUSES = [
  'queued',
  'starting',
  'running',
  'retry_wait',
  'succeeded',
  'failed',
  'cancelled',
  'dead',
] as const;
export const JobStatusSchema = z.enum(JOB_STATUSES);
export type JobStatus = z.infer<typeof JobStatusSchema>;

/** Statuses a job never leaves on its own (a user may still retry or resume it). */
export const TERMINAL_STATUSES: readonly JobStatus[] = ['succeeded', 'failed', 'cancelled', 'dead'];
export function isTerminal(status: JobStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

/**
 * Allowed transitions. `queued` is re-entered by retry/resume of a terminal job;
 * `retry_wait → queued` when the backoff or rate-limit reset has passed.
 */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  queued: ['starting', 'cancelled', 'failed'],
  starting: ['running', 'retry_wait', 'failed', 'cancelled', 'dead', 'succeeded'],
  running: ['succeeded', 'failed', 'cancelled', 'retry_wait', 'dead'],
  retry_wait: ['queued', 'cancelled', 'dead'],
  succeeded: ['queued'],
  failed: ['queued'],
  cancelled: ['queued'],
  dead: ['queued'],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

export const FAILURE_KINDS = [
  'task',
  'permission_denied',
  'rate_limited',
  'auth_failed',
  'billing',
  'model_not_found',
  'overloaded',
  'timeout',
  'context_overflow',
  'crashed',
  'interrupted',
  'fast_fail',
  'budget_exceeded',
] as const;
export const FailureKindSchema = z.enum(FAILURE_KINDS);
export type FailureKind = z.infer<typeof FailureKindSchema>;

/**
 * How the scheduler reacts to a failure kind:
 * - `consume`: the task's fault; uses one of the job's attempts, retried with backoff along the model ladder.
 * - `infra`: not the task's fault; retried without consuming an attempt, capped by `maxInfraRetries`.
 * - `never`: retrying cannot help; the job fails at once (and the credential is marked unusable for auth/billing/model).
 */
export type RetryClass = 'consume' | 'infra' | 'never';

export const RETRY_CLASS: Readonly<Record<FailureKind, RetryClass>> = {
  task: 'consume',
  permission_denied: 'consume',
  timeout: 'consume',
  context_overflow: 'consume',
  rate_limited: 'infra',
  overloaded: 'infra',
  crashed: 'infra',
  interrupted: 'infra',
  fast_fail: 'infra',
  auth_failed: 'never',
  billing: 'never',
  model_not_found: 'never',
  budget_exceeded: 'never',
};

/** Kinds that make the agent's credential unusable until `cb doctor` passes. */
export const CREDENTIAL_FAILURES: readonly FailureKind[] = ['auth_failed', 'billing', 'model_not_found'];

/** One sentence per kind, for `cb show` and notifications. */
export const FAILURE_DESCRIPTIONS: Readonly<Record<FailureKind, string>> = {
  task: 'the agent ran and reported an error',
  permission_denied: 'the agent was denied permission for a tool it needed',
  rate_limited: 'the model provider rate-limited this credential',
  auth_failed: 'the agent could not authenticate with its provider',
  billing: 'the provider refused for billing or quota reasons',
  model_not_found: 'the model does not exist or this credential cannot use it',
  overloaded: 'the provider was overloaded or had a server error',
  timeout: 'the job hit its wall-clock or idle timeout',
  context_overflow: "the conversation outgrew the model's context window",
  crashed: 'the agent process ended without a recognisable result',
  interrupted: 'the daemon or host stopped while the attempt ran',
  fast_fail: 'the agent exited non-zero within seconds without doing anything',
  budget_exceeded: "the job's cost went over its --budget-usd",
};
