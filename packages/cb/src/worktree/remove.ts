import { existsSync } from 'node:fs';
import createDebug from 'debug';
import { worktreeState } from './changes.js';
import { git } from './git.js';

const debug = createDebug('cb:worktree');

export interface RemovableWorktree {
  path: string;
  branch: string;
  baseCommit: string;
  repoRoot: string;
}

export interface RemoveWorktreeOptions {
  /** Remove the worktree and delete its branch even when that loses work. */
  force?: boolean;
}

export interface RemoveWorktreeResult {
  removed: boolean;
  branchDeleted: boolean;
  /** Why something was kept or could not be removed; null when everything went. */
  reason: string | null;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Why removing would lose work, or null. */
async function workAtRisk(wt: RemovableWorktree): Promise<string | null> {
  const state = await worktreeState(wt);
  if (!state.ok) return `could not inspect ${wt.path}: ${state.message}`;
  const reasons: string[] = [];
  const { uncommitted, commitsAhead } = state.value;
  if (uncommitted.length > 0) reasons.push(`it has uncommitted changes in ${plural(uncommitted.length, 'file')}`);
  if (commitsAhead > 0) reasons.push(`branch ${wt.branch} has ${plural(commitsAhead, 'commit')} not in its base`);
  return reasons.length > 0 ? `kept because ${reasons.join(' and ')} (force to remove)` : null;
}

async function deleteBranch(wt: RemovableWorktree): Promise<{ deleted: boolean; reason: string | null }> {
  const exists = await git(wt.repoRoot, ['show-ref', '--verify', '--quiet', `refs/heads/${wt.branch}`], { readOnly: true });
  if (!exists.ok) return { deleted: false, reason: null };
  const deleted = await git(wt.repoRoot, ['branch', '-D', wt.branch]);
  return deleted.ok ? { deleted: true, reason: null } : { deleted: false, reason: deleted.message };
}

/**
 * Removes a job's worktree and deletes its branch, unless that would lose uncommitted changes or
 * commits not in the base (then both are kept and `reason` says why), or `force` is set.
 * A worktree folder deleted behind git's back is pruned (its branch is still kept if it has commits).
 *
 * @example
 *   const r = await removeWorktree(wt);
 *   if (!r.removed) console.log(r.reason); // 'kept because it has uncommitted changes in 2 files (force to remove)'
 */
export async function removeWorktree(wt: RemovableWorktree, options: RemoveWorktreeOptions = {}): Promise<RemoveWorktreeResult> {
  const risk = options.force ? null : await workAtRisk(wt);
  if (existsSync(wt.path)) {
    if (risk) return { removed: false, branchDeleted: false, reason: risk };
    // Our own check has passed (or was overridden): files copied in from .worktreeinclude must not block removal,
    // and a forced removal also overrides a `git worktree lock`, which takes a second --force.
    const force = options.force ? ['--force', '--force'] : ['--force'];
    const removed = await git(wt.repoRoot, ['worktree', 'remove', ...force, wt.path]);
    if (!removed.ok) return { removed: false, branchDeleted: false, reason: removed.message };
  } else {
    // Deleted behind git's back: nothing is left to lose but the branch's commits.
    await git(wt.repoRoot, ['worktree', 'prune']);
    if (risk) return { removed: true, branchDeleted: false, reason: risk };
  }
  const branch = await deleteBranch(wt);
  debug('removed worktree %s (branch %s %s)', wt.path, wt.branch, branch.deleted ? 'deleted' : 'kept');
  return { removed: true, branchDeleted: branch.deleted, reason: branch.reason };
}
