import type { FailureKind, JobStatus, SessionState } from '@flotilla/protocol';

/** The tone a state is drawn in; always shown with its words, never by colour alone. */
export type Tone = 'attention' | 'active' | 'good' | 'bad' | 'muted' | 'warn';

export const SESSION_STATE_WORDS: Record<SessionState, { label: string; tone: Tone }> = {
  working: { label: 'working', tone: 'active' },
  waiting_input: { label: 'waiting for input', tone: 'attention' },
  waiting_permission: { label: 'needs permission', tone: 'attention' },
  idle: { label: 'idle', tone: 'muted' },
  compacting: { label: 'compacting', tone: 'active' },
  rate_limited: { label: 'rate limited', tone: 'warn' },
  exited: { label: 'exited', tone: 'muted' },
  unknown: { label: 'unknown', tone: 'muted' },
};

export const JOB_STATUS_WORDS: Record<JobStatus, { label: string; tone: Tone }> = {
  queued: { label: 'queued', tone: 'muted' },
  starting: { label: 'starting', tone: 'active' },
  running: { label: 'running', tone: 'active' },
  retry_wait: { label: 'waiting to retry', tone: 'warn' },
  succeeded: { label: 'succeeded', tone: 'good' },
  failed: { label: 'failed', tone: 'bad' },
  cancelled: { label: 'cancelled', tone: 'muted' },
  dead: { label: 'dead', tone: 'bad' },
};

/** Each failure kind in words: what happened and whose fault it is. */
export const FAILURE_WORDS: Record<FailureKind, string> = {
  task: 'The agent ran but did not complete the task.',
  permission_denied: 'The agent was refused a tool it needed (permission mode).',
  rate_limited: 'The provider rate-limited this credential; jobs of this agent pause until the reset.',
  auth_failed: 'The agent could not authenticate: its API key or login is missing or wrong.',
  billing: 'The provider refused for billing reasons (credit or plan).',
  model_not_found: 'The requested model does not exist or this account cannot use it.',
  overloaded: 'The provider was overloaded; the job is retried with backoff.',
  timeout: 'The job ran past its wall-clock or idle timeout and was stopped.',
  context_overflow: 'The conversation outgrew the model’s context window.',
  crashed: 'The agent process crashed.',
  interrupted: 'The job was interrupted (the daemon or machine stopped while it ran).',
  fast_fail: 'The agent exited at once with an error and no result.',
  budget_exceeded: 'The job spent its cost budget and was stopped.',
};
