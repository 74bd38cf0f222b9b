import { rmSync } from 'node:fs';
import { isTerminal, type GcReport, type GcRequest, type Job } from '@flotilla/protocol';
import { releaseSessionWorktree } from '../sessions/worktree.js';
import { removeWorktree } from '../worktree/index.js';
import type { DaemonContext } from './context.js';
import { allJobs } from './reports.js';

/** The outbox keeps events at least this long, so reconnecting clients can catch up (older: `resync`). */
const EVENT_RETENTION_DAYS = 7;

export async function pruneOutbox(ctx: DaemonContext): Promise<number> {
  const days = Math.max(EVENT_RETENTION_DAYS, ctx.config.retention.logsDays);
  return ctx.store.pruneEvents(daysAgo(ctx, days));
}

const daysAgo = (ctx: DaemonContext, days: number) => new Date(ctx.now().getTime() - days * 86_400_000).toISOString();

/**
 * Removes what is past retention: worktrees of ended jobs (kept with their branch while they hold
 * commits or changes), then whole jobs with their logs; prunes old outbox rows.
 */
export async function gc(ctx: DaemonContext, request: GcRequest): Promise<GcReport> {
  const dryRun = request.dryRun ?? false;
  const retention = ctx.config.retention;
  const jobCutoff = daysAgo(ctx, request.olderThanDays ?? retention.jobsDays);
  const worktreeCutoff = daysAgo(ctx, request.olderThanDays ?? retention.worktreesDays);
  const report: GcReport = { jobsRemoved: [], worktreesRemoved: [], worktreesKept: [], bytesFreed: 0, dryRun };
  const jobs = await allJobs(ctx);
  const sharedWorktrees = new Set(jobs.filter((j) => j.inJob && !isTerminal(j.status)).map((j) => j.worktree?.path));
  for (const job of jobs) {
    if (!isTerminal(job.status) || !job.endedAt) continue;
    if (job.worktree && !job.worktree.removed && !job.inJob && job.endedAt < worktreeCutoff && !sharedWorktrees.has(job.worktree.path)) {
      await collectWorktree(ctx, job, dryRun, report);
    }
    const worktreeGone = !job.worktree || job.inJob !== null || job.worktree.removed || report.worktreesRemoved.includes(job.worktree.path);
    if (job.endedAt < jobCutoff && worktreeGone) {
      report.jobsRemoved.push(job.id);
      if (!dryRun) {
        rmSync(ctx.paths.jobDir(job.id), { recursive: true, force: true });
        await ctx.store.deleteJob(job.id);
      }
    }
  }
  await collectSessionWorktrees(ctx, worktreeCutoff, dryRun, report);
  if (!dryRun) await pruneOutbox(ctx);
  return report;
}

/** Worktrees of sessions that ended before the cutoff, removed when that loses nothing (else kept, with the reason). */
async function collectSessionWorktrees(ctx: DaemonContext, cutoff: string, dryRun: boolean, report: GcReport): Promise<void> {
  for (const session of await ctx.store.listSessions({ all: true })) {
    const wt = session.worktree;
    if (session.state !== 'exited' || !wt || wt.removed || !session.endedAt || session.endedAt >= cutoff) continue;
    if (dryRun) {
      report.worktreesRemoved.push(wt.path);
      continue;
    }
    const released = await releaseSessionWorktree(ctx.store, session, 'cb gc');
    if (released?.removed) report.worktreesRemoved.push(released.path);
    else if (released) report.worktreesKept.push({ path: released.path, reason: released.reason ?? 'kept' });
  }
}

async function collectWorktree(ctx: DaemonContext, job: Job, dryRun: boolean, report: GcReport): Promise<void> {
  const wt = job.worktree!;
  if (dryRun) {
    report.worktreesRemoved.push(wt.path);
    return;
  }
  const result = await removeWorktree({ path: wt.path, branch: wt.branch, baseCommit: wt.baseCommit, repoRoot: wt.repoRoot });
  if (!result.removed) {
    report.worktreesKept.push({ path: wt.path, reason: result.reason ?? 'kept' });
    return;
  }
  report.worktreesRemoved.push(wt.path);
  await ctx.store.updateJob(job.id, (current) => {
    if (!current.worktree) return null;
    const next = { ...current, worktree: { ...current.worktree, removed: true } };
    return { job: next, events: [{ type: 'job.updated', job: next }] };
  });
}
