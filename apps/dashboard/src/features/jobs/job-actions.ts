import { isTerminal, type Job } from '@flotilla/protocol';

/** What can be done with a job now, and why not when it cannot. */
export interface JobAbilities {
  cancel: boolean;
  retry: boolean;
  /** Null when a follow-up prompt (or a review) can be sent; otherwise why not, in words. */
  resumeBlocked: string | null;
}

export function jobAbilities(job: Job): JobAbilities {
  const ended = isTerminal(job.status);
  let resumeBlocked: string | null = null;
  if (!ended) resumeBlocked = 'A follow-up can be sent once the job has ended.';
  else if (!job.agentSessionId) resumeBlocked = 'The agent left no conversation to continue; use Retry to run it again.';
  else if (job.worktree?.removed) resumeBlocked = 'Its worktree was removed, so the conversation cannot continue there.';
  return { cancel: !ended, retry: ended, resumeBlocked };
}
