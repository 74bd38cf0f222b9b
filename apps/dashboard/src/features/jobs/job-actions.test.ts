import { describe, expect, it } from 'vitest';
import type { Job } from '@flotilla/protocol';
import { jobAbilities } from './job-actions';

const job = (extra: Partial<Job>) => ({ status: 'succeeded', agentSessionId: 's1', worktree: null, ...extra }) as Job;

describe('jobAbilities', () => {
  it('should cancel live jobs and retry or resume ended ones', () => {
    expect(jobAbilities(job({ status: 'running' }))).toEqual({ cancel: true, retry: false, resumeBlocked: 'A follow-up can be sent once the job has ended.' });
    expect(jobAbilities(job({ status: 'failed' }))).toEqual({ cancel: false, retry: true, resumeBlocked: null });
  });

  it('should say why a job cannot be resumed', () => {
    expect(jobAbilities(job({ agentSessionId: null })).resumeBlocked).toMatch(/no conversation/);
    expect(jobAbilities(job({ worktree: { removed: true } as Job['worktree'] })).resumeBlocked).toMatch(/worktree was removed/);
  });
});
