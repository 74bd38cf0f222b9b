import { existsSync } from 'node:fs';
import { ProtocolError, type Job, type Worktree } from '@flotilla/protocol';
import { changedFiles, createWorktree, currentRef, defaultBranchName, resolveCommit, worktreePathFor } from '../worktree/index.js';
import type { DaemonContext } from './context.js';

/**
 * Decides a worktree job's path, branch and base commit when the job is created, so that
 * `cb show` has them at once and a bad `--base` is refused at once; the checkout itself is
 * made when the first attempt starts (its setup command may take minutes).
 */
export async function planWorktree(
  ctx: DaemonContext,
  input: { jobId: string; repoRoot: string; prompt: string; base?: string; branch?: string },
): Promise<Worktree> {
  const base = input.base ?? (await currentRef(input.repoRoot)) ?? 'HEAD';
  const baseCommit = await resolveCommit(input.repoRoot, base);
  if (!baseCommit) {
    throw new ProtocolError('WORKTREE_FAILED', `base "${base}" is not a commit in ${input.repoRoot}`, { fix: 'pass --base with an existing branch, tag or commit' });
  }
  return {
    path: worktreePathFor(ctx.paths.worktreesDir, input.repoRoot, input.jobId),
    branch: input.branch ?? defaultBranchName(input.jobId, input.prompt),
    base,
    baseCommit,
    repoRoot: input.repoRoot,
    changedFiles: [],
    removed: false,
  };
}

/** Makes the planned worktree on the first attempt (copying .worktreeinclude files, running setup once). */
export async function ensureWorktree(ctx: DaemonContext, job: Job): Promise<{ ok: true } | { ok: false; message: string }> {
  const wt = job.worktree;
  if (!wt || existsSync(wt.path)) return { ok: true };
  if (job.inJob) return { ok: false, message: `the worktree ${wt.path} of job ${job.inJob} no longer exists` };
  const created = await createWorktree({
    repoRoot: wt.repoRoot,
    worktreesDir: ctx.paths.worktreesDir,
    jobId: job.id,
    prompt: job.prompt,
    base: wt.baseCommit,
    branch: wt.branch,
    setupCommand: ctx.config.worktreeSetup[wt.repoRoot],
  });
  return created.ok ? { ok: true } : { ok: false, message: created.message };
}

/** The worktree with its changed files as they are now (committed, staged, unstaged, untracked). */
export async function refreshChangedFiles(job: Job): Promise<Worktree | null> {
  const wt = job.worktree;
  if (!wt || wt.removed) return wt;
  const files = await changedFiles({ path: wt.path, baseCommit: wt.baseCommit });
  return files.ok ? { ...wt, changedFiles: files.value } : wt;
}
