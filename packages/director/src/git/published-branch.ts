import { git, runGit } from './run-git.js';
import { refExists, worktreeOfBranch, removeWorktree } from './worktree.js';

/**
 * A branch a job on another host published on `origin` (decision 38 as amended), brought into this
 * machine's checkout: `origin` fetched, the local branch set to origin's, and the commits it has
 * beyond `origin/<base>` counted — 0 when the agent changed nothing (the host then publishes
 * nothing). The published branch is the batch's work now: commits a failed earlier attempt left on
 * the local branch and never pushed are replaced, as that attempt's work is.
 *
 * @example
 * const { ahead } = await fetchPublishedBranch(repo.path, 'flotilla/t/board-T-1', 'main');
 */
export async function fetchPublishedBranch(repoPath: string, branch: string, base: string): Promise<{ ahead: number }> {
  await git(repoPath, ['fetch', '--quiet', 'origin']);
  if (!(await refExists(repoPath, `refs/remotes/origin/${branch}`))) return { ahead: 0 };
  await git(repoPath, ['fetch', '--quiet', 'origin', `+refs/heads/${branch}:refs/heads/${branch}`]);
  const baseRef = (await refExists(repoPath, `refs/remotes/origin/${base}`)) ? `origin/${base}` : base;
  return { ahead: Number(await git(repoPath, ['rev-list', '--count', `${baseRef}..refs/heads/${branch}`])) };
}

/**
 * Before a batch's job goes to another host: a worktree of its branch left here (an earlier attempt
 * that never dispatched) is removed, so that the branch can follow origin's.
 */
export async function dropLocalWorktree(repoPath: string, branch: string): Promise<void> {
  const path = await worktreeOfBranch(repoPath, branch);
  if (path !== null) await removeWorktree(repoPath, path);
  else await runGit(repoPath, ['worktree', 'prune']);
}
