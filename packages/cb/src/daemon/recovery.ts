import { existsSync } from 'node:fs';
import { join } from 'node:path';
import createDebug from 'debug';
import type { Job } from '@flotilla/protocol';
import { ATTEMPT_FILES } from '../runner/spec.js';
import type { DaemonContext } from './context.js';
import { finalizeAttempt } from './finalize.js';
import type { Scheduler } from './scheduler.js';
import { readExit } from './watcher.js';

const debug = createDebug('cb:recovery');

export interface RecoveryReport {
  adopted: string[];
  redispatched: string[];
  interrupted: string[];
}

/**
 * After a (re)start: adopt attempts whose tmux session lives or whose exit record exists, put back
 * in the queue attempts that never started (no started.json, no session), and mark the rest
 * interrupted. Nothing is lost and nothing runs twice.
 */
export async function recover(ctx: DaemonContext, scheduler: Scheduler): Promise<RecoveryReport> {
  const report: RecoveryReport = { adopted: [], redispatched: [], interrupted: [] };
  for (const job of await ctx.store.jobsWithStatus(['starting', 'running'])) {
    const attempt = job.attempts[job.attempts.length - 1];
    if (!attempt) continue;
    const dir = ctx.paths.attemptDir(job.id, attempt.n);
    const exited = readExit(dir) !== null;
    const alive = await ctx.tmux.hasSession(attempt.tmuxSession);
    if (exited || alive) {
      scheduler.adopt(job, attempt.n);
      report.adopted.push(job.id);
    } else if (!existsSync(join(dir, ATTEMPT_FILES.started))) {
      await requeueUnstarted(ctx, job);
      report.redispatched.push(job.id);
    } else {
      await finalizeAttempt(ctx, { jobId: job.id, attempt: attempt.n, progress: null, exit: null, stderrTail: '' });
      report.interrupted.push(job.id);
    }
  }
  debug('recovery: %o', report);
  return report;
}

async function requeueUnstarted(ctx: DaemonContext, job: Job): Promise<void> {
  await ctx.store.updateJob(job.id, (current) => {
    const attempt = current.attempts[current.attempts.length - 1];
    if (!attempt || (current.status !== 'starting' && current.status !== 'running')) return null;
    const pending = { reason: attempt.reason, prompt: attempt.prompt, resumeSessionId: attempt.resumedSessionId, model: attempt.model };
    const next: Job = { ...current, status: 'queued', attempts: current.attempts.slice(0, -1), pending };
    return { job: next, events: [{ type: 'job.updated', job: next }] };
  });
}
