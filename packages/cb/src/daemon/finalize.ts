import createDebug from 'debug';
import { monotonicFactory } from 'ulidx';
import { CREDENTIAL_FAILURES, isTerminal, type Failure, type Job, type Pause } from '@flotilla/protocol';
import type { ExitRecord, Outcome, Progress } from '../agents/types.js';
import { maxUsage } from '../agents/usage.js';
import type { EventDraft } from '../store/types.js';
import type { DaemonContext } from './context.js';
import { decideAfterFailure } from './policy.js';
import { applyProgress, forgetProgress } from './progress.js';
import { checkStructuredResult } from './structured-result.js';
import { refreshChangedFiles } from './worktree-plan.js';
import { notifyJobEnded } from './notifications.js';
import { agentEnv } from './readiness.js';
import { publishWork } from './job-publish.js';

/** Pause ids sort in creation order, even within one millisecond. */
const ulid = monotonicFactory();

const debug = createDebug('cb:finalize');

export interface AttemptEnd {
  jobId: string;
  attempt: number;
  progress: Progress | null;
  /** null when the runner vanished without writing exit.json. */
  exit: ExitRecord | null;
  stderrTail: string;
  /** What the runner itself wrote when it failed (runner-error.log), if anything. */
  runnerError?: string;
}

function classify(ctx: DaemonContext, job: Job, end: AttemptEnd): Outcome | 'cancelled' {
  if (end.exit?.stoppedBy === 'cancel') return 'cancelled';
  if (end.exit?.stoppedBy === 'hangup') {
    return { status: 'failed', result: null, failure: { kind: 'interrupted', message: 'the attempt was stopped by a signal it did not ask for (its tmux session closed or the host shut down)' } };
  }
  if (!end.exit && end.runnerError) {
    return { status: 'failed', result: null, failure: { kind: 'crashed', message: 'the runner failed', rawTail: end.runnerError.slice(-2000) } };
  }
  if (!end.exit) {
    return { status: 'failed', result: null, failure: { kind: 'interrupted', message: 'the runner ended without an exit record (killed, or the host went down)' } };
  }
  const adapter = ctx.agents.get(job.agent);
  if (!adapter || !end.progress) {
    return { status: 'failed', result: null, failure: { kind: 'crashed', message: `no adapter for agent ${job.agent}` } };
  }
  return adapter.classify({ progress: end.progress, exit: end.exit, stderrTail: end.stderrTail });
}

/** Ends an attempt exactly once: classification, the retry decision, pauses, credential marks, notifications. */
export async function finalizeAttempt(ctx: DaemonContext, end: AttemptEnd): Promise<Job | null> {
  forgetProgress(end.jobId);
  const before = await ctx.store.getJob(end.jobId);
  if (!before) return null;
  end = await withSessionUsage(ctx, before, end);
  const outcome = await published(before, await checkStructured(ctx, before, classify(ctx, before, end)));
  const withFiles = before.worktree ? await refreshChangedFiles(before) : before.worktree;
  let pause: Pause | null = null;
  let endedHere = false;
  const job = await ctx.store.updateJob(end.jobId, (current) => {
    const attempt = current.attempts.find((a) => a.n === end.attempt);
    if (!attempt || (attempt.status !== 'starting' && attempt.status !== 'running')) return null; // already ended
    const progressed = end.progress ? applyProgress(ctx, current, end.attempt, end.progress) : current;
    const change = endJob(ctx, { ...progressed, worktree: withFiles ?? progressed.worktree }, end, outcome);
    pause = change.pause;
    endedHere = true;
    return { job: change.job, events: change.events };
  });
  // Ended by someone else first (a forced cancel racing the watcher): nothing more to do, nothing twice.
  if (!job || !endedHere) return null;
  const failure = job.failure;
  if (failure && CREDENTIAL_FAILURES.includes(failure.kind)) await markCredential(ctx, job, failure);
  if (pause) await startPause(ctx, pause);
  if (isTerminal(job.status)) {
    await ctx.store.appendEvents([{ type: 'inbox.changed', unread: await ctx.store.unreadCount() }]);
    void notifyJobEnded(ctx, job);
  }
  ctx.bus.notify();
  debug('job %s attempt %d ended: %s %s', job.id, end.attempt, job.status, failure?.kind ?? '');
  return job;
}

/** A succeeded attempt of a `--json-schema` job must have produced a matching structured answer. */
async function checkStructured(ctx: DaemonContext, job: Job, outcome: Outcome | 'cancelled'): Promise<Outcome | 'cancelled'> {
  if (outcome === 'cancelled' || outcome.status !== 'succeeded') return outcome;
  const schema = (await ctx.store.getSecrets(job.id))?.jsonSchema;
  const failure = checkStructuredResult(schema, outcome.result);
  return failure ? { status: 'failed', failure, result: outcome.result } : outcome;
}

/** A succeeded attempt of a job with `publish` commits and pushes its work first; a failure there fails the attempt. */
async function published(job: Job, outcome: Outcome | 'cancelled'): Promise<Outcome | 'cancelled'> {
  if (outcome === 'cancelled' || outcome.status !== 'succeeded' || !job.publish) return outcome;
  const result = await publishWork(job);
  if (result.ok) {
    debug('job %s: %s', job.id, result.detail);
    return outcome;
  }
  return { status: 'failed', result: outcome.result, failure: { kind: 'crashed', message: result.message } };
}

/**
 * Without a final usage report (no result line, or an error result with none) the stream's figures
 * are partial at best: read the agent's own transcript instead.
 */
async function withSessionUsage(ctx: DaemonContext, job: Job, end: AttemptEnd): Promise<AttemptEnd> {
  const progress = end.progress;
  const adapter = ctx.agents.get(job.agent);
  if (!progress?.agentSessionId || !adapter?.usageFromSession) return end;
  const { usage: u } = progress;
  const reported = u.inputTokens + u.outputTokens + u.cacheReadTokens + u.cacheWriteTokens > 0;
  if (progress.sawResult && reported) return end;
  const env = agentEnv(ctx, (await ctx.store.getSecrets(job.id)) ?? { env: {} });
  const usage = adapter.usageFromSession(progress.agentSessionId, env);
  return usage ? { ...end, progress: { ...progress, usage: maxUsage(progress.usage, usage) } } : end;
}

function endJob(ctx: DaemonContext, job: Job, end: AttemptEnd, outcome: Outcome | 'cancelled'): { job: Job; events: EventDraft[]; pause: Pause | null } {
  const now = ctx.now();
  const at = now.toISOString();
  const status: 'succeeded' | 'failed' | 'cancelled' = outcome === 'cancelled' ? 'cancelled' : outcome.status;
  const failure: Failure | null = outcome === 'cancelled' ? null : outcome.failure;
  const attempts = job.attempts.map((a) =>
    a.n === end.attempt ? { ...a, status, endedAt: at, exitCode: end.exit?.exitCode ?? null, failure } : a,
  );
  let next: Job = { ...job, attempts, result: outcome === 'cancelled' ? job.result : (outcome.result ?? job.result) };
  let pause: Pause | null = null;
  if (status === 'failed' && failure) {
    const decision = decideAfterFailure(next, failure, { maxInfraRetries: ctx.config.maxInfraRetries, backoff: ctx.config.backoff }, now);
    next = {
      ...next,
      status: decision.status,
      failure,
      retryAt: decision.retryAt,
      attemptsUsed: decision.attemptsUsed,
      infraRetries: decision.infraRetries,
      attempts: next.attempts.map((a) => (a.n === end.attempt ? { ...a, consumedAttempt: decision.consumedAttempt } : a)),
      pending:
        decision.status === 'retry_wait'
          ? { reason: 'retry', prompt: lastAttempt(next)?.prompt ?? next.prompt, resumeSessionId: lastAttempt(next)?.resumedSessionId ?? null, model: decision.nextModel }
          : null,
    };
    if (failure.kind === 'rate_limited' && decision.retryAt) pause = pauseFor(ctx, next, failure, decision.retryAt);
  } else {
    next = { ...next, status, failure: null, retryAt: null, pending: null, attemptsUsed: status === 'succeeded' ? next.attemptsUsed + 1 : next.attemptsUsed };
  }
  if (isTerminal(next.status)) {
    const startedAt = next.startedAt ? Date.parse(next.startedAt) : now.getTime();
    next = { ...next, endedAt: at, durationMs: Math.max(0, now.getTime() - startedAt), unread: true };
  }
  const events: EventDraft[] = [
    { type: 'attempt.ended', jobId: job.id, attempt: end.attempt, status: next.status, failure },
    { type: isTerminal(next.status) ? 'job.ended' : 'job.updated', job: next },
  ];
  return { job: next, events, pause };
}

function lastAttempt(job: Job) {
  return job.attempts[job.attempts.length - 1];
}

function pauseFor(ctx: DaemonContext, job: Job, failure: Failure, resetsAt: string): Pause | null {
  const credential = lastAttempt(job)?.credential;
  if (!credential) return null;
  return {
    id: ulid(),
    host: ctx.host,
    agent: job.agent,
    credential,
    reason: 'rate_limited',
    message: failure.message,
    startedAt: ctx.now().toISOString(),
    resetsAt,
    endedAt: null,
  };
}

/** One pause per agent and credential: a later rate limit extends it instead of announcing another. */
async function startPause(ctx: DaemonContext, pause: Pause): Promise<void> {
  const active = (await ctx.store.activePauses()).find((p) => p.agent === pause.agent && p.credential === pause.credential);
  if (active) {
    if (Date.parse(pause.resetsAt) > Date.parse(active.resetsAt)) await ctx.store.savePause({ ...active, resetsAt: pause.resetsAt });
    return;
  }
  await ctx.store.savePause(pause);
  await ctx.store.appendEvents([
    { type: 'pause.started', pause },
    { type: 'notification', jobId: null, title: `${pause.agent} rate-limited`, body: `jobs using this credential wait until ${pause.resetsAt}`, level: 'warning' },
  ]);
}

async function markCredential(ctx: DaemonContext, job: Job, failure: Failure): Promise<void> {
  const credential = lastAttempt(job)?.credential;
  if (!credential) return;
  await ctx.store.setCredentialState({ agent: job.agent, credential, unusable: failure.kind, message: failure.message });
}
