import type { Job, Usage } from '@flotilla/protocol';
import type { Progress } from '../agents/types.js';
import { costOf } from '../cost.js';
import type { DaemonContext } from './context.js';

/** Progress writes per job are coalesced: the first at once, then at most one per this interval. */
const PROGRESS_INTERVAL_MS = 250;

const pending = new Map<string, { timer: NodeJS.Timeout | null; last: number; latest: () => Promise<unknown> }>();

/** Applies what the agent's output has told us so far (session id, model, tokens, cost) to the job. */
export function applyProgress(ctx: DaemonContext, job: Job, attemptN: number, progress: Progress): Job {
  const model = progress.model ?? job.attempts.find((a) => a.n === attemptN)?.model ?? job.model;
  const usage = attemptUsage(ctx, job, attemptN, progress.usage);
  const cost = costOf(progress.costUsd, usage, model ? (ctx.config.prices[model] ?? null) : null);
  const attempts = job.attempts.map((a) =>
    a.n === attemptN ? { ...a, agentSessionId: progress.agentSessionId ?? a.agentSessionId, model: progress.model ?? a.model, usage, cost } : a,
  );
  const total = sumUsage(attempts);
  const totalCost = { usd: round(attempts.reduce((s, a) => s + a.cost.usd, 0)), source: cost.source };
  return { ...job, attempts, usage: total, cost: totalCost, agentSessionId: progress.agentSessionId ?? job.agentSessionId, model: progress.model ?? job.model };
}

export function publishProgress(ctx: DaemonContext, jobId: string, attemptN: number, progress: Progress): void {
  const write = () =>
    ctx.store
      .updateJob(jobId, (job) => {
        if (job.status !== 'running' && job.status !== 'starting') return null;
        const next = applyProgress(ctx, job, attemptN, progress);
        return { job: next, events: [{ type: 'job.updated', job: next }] };
      })
      .then(() => ctx.bus.notify());
  const entry = pending.get(jobId);
  const now = Date.now();
  if (!entry) {
    pending.set(jobId, { timer: null, last: now, latest: write });
    void write();
    return;
  }
  entry.latest = write;
  if (entry.timer) return;
  const wait = Math.max(0, entry.last + PROGRESS_INTERVAL_MS - now);
  entry.timer = setTimeout(() => {
    entry.timer = null;
    entry.last = Date.now();
    void entry.latest();
  }, wait);
}

/** Drops any coalesced progress write for a job that has ended. */
export function forgetProgress(jobId: string): void {
  const entry = pending.get(jobId);
  if (entry?.timer) clearTimeout(entry.timer);
  pending.delete(jobId);
}

export async function markRunning(ctx: DaemonContext, jobId: string, attemptN: number, started: { startedAt: string } | null): Promise<void> {
  const startedAt = started?.startedAt ?? ctx.now().toISOString();
  await ctx.store.updateJob(jobId, (job) => {
    if (job.status !== 'starting') return null;
    const attempts = job.attempts.map((a) => (a.n === attemptN ? { ...a, status: 'running' as const, startedAt } : a));
    const attempt = attempts.find((a) => a.n === attemptN);
    const next: Job = { ...job, status: 'running', attempts, startedAt: job.startedAt ?? startedAt };
    return {
      job: next,
      events: [
        { type: 'attempt.started', jobId, attempt: attemptN, tmuxSession: attempt?.tmuxSession ?? '' },
        { type: 'job.updated', job: next },
      ],
    };
  });
  ctx.bus.notify();
}

/** What this attempt used: for agents that report a resumed thread's running total, minus the earlier attempts of that thread. */
function attemptUsage(ctx: DaemonContext, job: Job, attemptN: number, reported: Usage): Usage {
  const attempt = job.attempts.find((a) => a.n === attemptN);
  if (!attempt?.resumedSessionId || !ctx.agents.get(job.agent)?.resumeUsageIsCumulative) return reported;
  const earlier = sumUsage(job.attempts.filter((a) => a.n < attemptN && a.agentSessionId === attempt.resumedSessionId));
  return {
    inputTokens: Math.max(0, reported.inputTokens - earlier.inputTokens),
    outputTokens: Math.max(0, reported.outputTokens - earlier.outputTokens),
    cacheReadTokens: Math.max(0, reported.cacheReadTokens - earlier.cacheReadTokens),
    cacheWriteTokens: Math.max(0, reported.cacheWriteTokens - earlier.cacheWriteTokens),
  };
}

function sumUsage(attempts: Job['attempts']): Job['usage'] {
  return attempts.reduce(
    (s, a) => ({
      inputTokens: s.inputTokens + a.usage.inputTokens,
      outputTokens: s.outputTokens + a.usage.outputTokens,
      cacheReadTokens: s.cacheReadTokens + a.usage.cacheReadTokens,
      cacheWriteTokens: s.cacheWriteTokens + a.usage.cacheWriteTokens,
    }),
    { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 },
  );
}

function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
