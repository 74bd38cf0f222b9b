import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, killTree } from '@flotilla/kit/process';
import { isTerminal, ProtocolError, type Job } from '@flotilla/protocol';
import { ATTEMPT_FILES } from '../runner/spec.js';
import type { DaemonContext } from './context.js';
import { finalizeAttempt } from './finalize.js';
import { checkAgentReady } from './readiness.js';
import type { Scheduler } from './scheduler.js';
import { readStarted } from './watcher.js';

/** How long the runner gets to stop its agent (SIGTERM, grace, SIGKILL) before the daemon forces it. */
const CANCEL_GRACE_MS = 8_000;

export async function requireJob(ctx: DaemonContext, id: string): Promise<Job> {
  const job = await ctx.store.getJob(id);
  if (!job) throw new ProtocolError('JOB_NOT_FOUND', `no job ${id}`, { fix: 'list jobs with `cb ls`' });
  return job;
}

/** Resolves when the job is terminal (or the timeout passes), woken by the bus. */
export function waitForJob(ctx: DaemonContext, id: string, timeoutMs: number, until: (job: Job) => boolean = (j) => isTerminal(j.status)): Promise<Job> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = async () => {
      const job = await ctx.store.getJob(id);
      if (!job) return finish(() => reject(new ProtocolError('JOB_NOT_FOUND', `no job ${id}`)));
      if (until(job)) finish(() => resolve(job));
    };
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      fn();
    };
    const unsubscribe = ctx.bus.subscribe(() => void check());
    const timer = setTimeout(() => void ctx.store.getJob(id).then((job) => finish(() => (job ? resolve(job) : reject(new ProtocolError('JOB_NOT_FOUND', `no job ${id}`))))), timeoutMs);
    void check();
  });
}

export async function cancelJob(ctx: DaemonContext, scheduler: Scheduler, id: string): Promise<Job> {
  const job = await requireJob(ctx, id);
  if (isTerminal(job.status)) return job;
  if (job.status === 'queued' || job.status === 'retry_wait') {
    const at = ctx.now().toISOString();
    const cancelled = await ctx.store.updateJob(id, (current) => {
      if (current.status !== 'queued' && current.status !== 'retry_wait') return null;
      const next: Job = { ...current, status: 'cancelled', pending: null, retryAt: null, endedAt: at };
      return { job: next, events: [{ type: 'job.ended', job: next }] };
    });
    ctx.bus.notify();
    if (cancelled && !isTerminal(cancelled.status)) return cancelJob(ctx, scheduler, id); // it started meanwhile
    return cancelled ?? job;
  }
  const attempt = job.attempts[job.attempts.length - 1];
  if (!attempt) return job;
  const dir = ctx.paths.attemptDir(id, attempt.n);
  const started = readStarted(dir);
  writeFileSync(join(dir, ATTEMPT_FILES.cancel), ctx.now().toISOString() + '\n');
  if (started && isAlive(started.runnerPid)) process.kill(started.runnerPid, 'SIGTERM');
  const ended = await waitForJob(ctx, id, started ? CANCEL_GRACE_MS : 0);
  if (isTerminal(ended.status)) return ended;
  return forceCancel(ctx, scheduler, ended, attempt.n, started?.agentPid ?? null);
}

/** The runner did not stop in time (or never started): kill its session and process tree ourselves. */
async function forceCancel(ctx: DaemonContext, scheduler: Scheduler, job: Job, attemptN: number, agentPid: number | null): Promise<Job> {
  const attempt = job.attempts.find((a) => a.n === attemptN);
  scheduler.watching(job.id)?.close();
  if (attempt) {
    const panePid = await ctx.tmux.panePid(attempt.tmuxSession);
    if (panePid) await killTree(panePid, { signal: 'SIGKILL', graceMs: 0 });
    await ctx.tmux.killSession(attempt.tmuxSession);
  }
  if (agentPid) await killTree(agentPid, { signal: 'SIGKILL', graceMs: 0 });
  const exit = { exitCode: null, signal: 'SIGKILL', durationMs: 0, stoppedBy: 'cancel' as const, spawnError: null };
  await finalizeAttempt(ctx, { jobId: job.id, attempt: attemptN, progress: null, exit, stderrTail: '' });
  scheduler.wake();
  return requireJob(ctx, job.id);
}

/** A terminal job runs again as a new attempt with a fresh attempt budget. */
export async function retryJob(ctx: DaemonContext, id: string): Promise<Job> {
  const job = await requireJob(ctx, id);
  if (!isTerminal(job.status)) throw new ProtocolError('INVALID_TRANSITION', `job ${id} is ${job.status}; only an ended job can be retried`);
  await checkAgentReady(ctx, job.agent, (await ctx.store.getSecrets(id)) ?? { env: {} });
  return requeue(ctx, id, { reason: 'retry', prompt: job.prompt, resumeSessionId: null, model: job.modelLadder[0] ?? job.model });
}

/** Continues the agent's own conversation with a follow-up prompt, as a new attempt of the same job. */
export async function resumeJob(ctx: DaemonContext, id: string, prompt: string): Promise<Job> {
  const job = await requireJob(ctx, id);
  if (!isTerminal(job.status)) throw new ProtocolError('INVALID_TRANSITION', `job ${id} is ${job.status}; wait for it to end before resuming`);
  if (!job.agentSessionId) throw new ProtocolError('NOT_RESUMABLE', `job ${id} has no agent session to resume`, { fix: 'use `cb retry` to run it again from scratch' });
  if (job.worktree && (job.worktree.removed || !existsSync(job.worktree.path))) {
    throw new ProtocolError('NOT_RESUMABLE', `the worktree of job ${id} was removed`, { fix: 'start a new job with --base ' + job.worktree.branch });
  }
  await checkAgentReady(ctx, job.agent, (await ctx.store.getSecrets(id)) ?? { env: {} });
  return requeue(ctx, id, { reason: 'resume', prompt, resumeSessionId: job.agentSessionId, model: job.model });
}

async function requeue(ctx: DaemonContext, id: string, pending: NonNullable<Job['pending']>): Promise<Job> {
  const job = await ctx.store.updateJob(id, (current) => {
    if (!isTerminal(current.status)) return null;
    const next: Job = { ...current, status: 'queued', pending, failure: null, retryAt: null, endedAt: null, durationMs: null, unread: false, attemptsUsed: 0, infraRetries: 0 };
    return { job: next, events: [{ type: 'job.updated', job: next }] };
  });
  ctx.bus.notify();
  return job ?? requireJob(ctx, id);
}

export async function markRead(ctx: DaemonContext, id: string): Promise<Job> {
  await requireJob(ctx, id);
  const job = await ctx.store.updateJob(id, (current) => {
    if (!current.unread) return null;
    const next = { ...current, unread: false };
    return { job: next, events: [{ type: 'job.updated', job: next }] };
  });
  await ctx.store.appendEvents([{ type: 'inbox.changed', unread: await ctx.store.unreadCount() }]);
  ctx.bus.notify();
  return job ?? requireJob(ctx, id);
}
