import { existsSync } from 'node:fs';
import createDebug from 'debug';
import { ulid } from 'ulidx';
import { runSetup } from '../git/setup.js';
import { runGit } from '../git/run-git.js';
import { ensureWorktree, removeWorktree, worktreeOfBranch } from '../git/worktree.js';

const debug = createDebug('director:scout');

/** Scout branches: `flotilla/scout/<pid>-<id>`, deleted with their worktree when the run ends. */
const SCOUT_BRANCH_PREFIX = 'flotilla/scout/';

export interface ScoutWorktree {
  path: string;
  branch: string;
  /** The base commit it shows (what the scout's evidence is about). */
  commit: string;
  /** The repo's `setup` (when it has one) and how it went. */
  setup: { ok: boolean; tail: string; exitCode: number | null } | null;
  /** Removes the worktree and its branch: nothing the scout or its agent did stays behind. */
  remove(): Promise<void>;
}

/**
 * A fresh worktree of the repo's base (`origin/<base>` when the remote has it) for one scout run: the
 * user's checkout is never touched (its uncommitted work is not evidence, and a test run there could
 * leave files behind), and what the commands and the agent write goes with the worktree. The repo's
 * `setup` runs first, as for a ticket (a test command needs the dependencies installed).
 */
export async function openScoutWorktree(input: { repoPath: string; repoName: string; base: string; worktreesDir: string; setup?: string }): Promise<ScoutWorktree> {
  await sweepLeftovers(input.repoPath);
  const branch = `${SCOUT_BRANCH_PREFIX}${process.pid}-${ulid().toLowerCase()}`;
  const worktree = await ensureWorktree({ repoPath: input.repoPath, repoName: input.repoName, branch, base: input.base, worktreesDir: input.worktreesDir });
  const remove = async (): Promise<void> => {
    await removeWorktree(input.repoPath, worktree.path);
    await runGit(input.repoPath, ['branch', '-D', branch]);
  };
  try {
    const setup = input.setup === undefined ? null : await runSetup(worktree.path, input.setup);
    return { path: worktree.path, branch, commit: worktree.baseCommit, setup, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/**
 * Scout worktrees and branches of this checkout whose scout process is gone (it was killed
 * mid-run): removed, so a crash leaves nothing behind for long. A running scout's are left alone.
 */
export async function sweepLeftovers(repoPath: string): Promise<string[]> {
  const listed = await runGit(repoPath, ['for-each-ref', '--format=%(refname:short)', `refs/heads/${SCOUT_BRANCH_PREFIX}`]);
  if (listed.exitCode !== 0) return [];
  const swept: string[] = [];
  for (const branch of listed.stdout.split('\n').filter((b) => b.startsWith(SCOUT_BRANCH_PREFIX))) {
    const pid = Number(/^(\d+)-/.exec(branch.slice(SCOUT_BRANCH_PREFIX.length))?.[1]);
    if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) continue;
    const path = await worktreeOfBranch(repoPath, branch);
    if (path !== null && existsSync(path)) await removeWorktree(repoPath, path);
    await runGit(repoPath, ['worktree', 'prune']);
    await runGit(repoPath, ['branch', '-D', branch]);
    debug('swept the leftover scout branch %s', branch);
    swept.push(branch);
  }
  return swept;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
