import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { git, splitNul } from './git.js';
import { readIncluded } from './include.js';

/** Enough of a worktree to compare it with where it started. */
export interface WorktreeAtBase {
  path: string;
  baseCommit: string;
}

export type ChangesResult<T> = { ok: true; value: T } | { ok: false; code: 'WORKTREE_GONE' | 'GIT_FAILED'; message: string };

function gone(path: string): ChangesResult<never> {
  return { ok: false, code: 'WORKTREE_GONE', message: `the worktree ${path} no longer exists` };
}

/** Untracked, not ignored files, minus those `.worktreeinclude` copied in (they are setup, not the job's work). */
export async function untrackedFiles(path: string): Promise<ChangesResult<string[]>> {
  const out = await git(path, ['ls-files', '--others', '--exclude-standard', '-z'], { readOnly: true });
  if (!out.ok) return { ok: false, code: 'GIT_FAILED', message: out.message };
  const included = await readIncluded(path);
  return { ok: true, value: splitNul(out.stdout).filter((f) => !included.has(f)) };
}

/**
 * Repo-relative paths that differ from the base commit: committed on the branch, staged, unstaged
 * and untracked (not ignored) files, sorted and deduplicated. A file changed and then changed back
 * is not listed, so the list always matches `worktreeDiff`.
 *
 * @example
 *   const files = await changedFiles({ path: wt.path, baseCommit: wt.baseCommit });
 *   if (files.ok) console.log(files.value); // ['src/a.ts', 'notes.md']
 */
export async function changedFiles(wt: WorktreeAtBase): Promise<ChangesResult<string[]>> {
  if (!existsSync(wt.path)) return gone(wt.path);
  const tracked = await git(wt.path, ['diff', '--name-only', '--no-renames', '-z', wt.baseCommit, '--'], { readOnly: true });
  if (!tracked.ok) return { ok: false, code: 'GIT_FAILED', message: tracked.message };
  const untracked = await untrackedFiles(wt.path);
  if (!untracked.ok) return untracked;
  const all = new Set([...splitNul(tracked.stdout), ...untracked.value]);
  return { ok: true, value: [...all].sort() };
}

/** Runs `fn` with a private copy of the worktree's index, so marking untracked files never touches the real one. */
async function withIndexCopy<T>(path: string, fn: (env: Record<string, string>) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'flotilla-index-'));
  const env = { GIT_INDEX_FILE: join(dir, 'index'), GIT_LITERAL_PATHSPECS: '1' };
  try {
    const indexPath = await git(path, ['rev-parse', '--git-path', 'index'], { readOnly: true });
    const copied =
      indexPath.ok &&
      (await copyFile(resolve(path, indexPath.stdout.trim()), env.GIT_INDEX_FILE).then(
        () => true,
        () => false,
      ));
    if (!copied) await git(path, ['read-tree', 'HEAD'], { env });
    return await fn(env);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The unified diff of the worktree (committed, staged, unstaged and untracked files) against the base commit.
 * Untracked files are marked intent-to-add in a temporary copy of the index; the worktree's own index is untouched.
 *
 * @example
 *   const diff = await worktreeDiff({ path: wt.path, baseCommit: wt.baseCommit });
 *   if (diff.ok) process.stdout.write(diff.value);
 */
export async function worktreeDiff(wt: WorktreeAtBase): Promise<ChangesResult<string>> {
  if (!existsSync(wt.path)) return gone(wt.path);
  const untracked = await untrackedFiles(wt.path);
  if (!untracked.ok) return untracked;
  return withIndexCopy(wt.path, async (env): Promise<ChangesResult<string>> => {
    if (untracked.value.length > 0) {
      const added = await git(wt.path, ['add', '--intent-to-add', '--pathspec-from-file=-', '--pathspec-file-nul'], {
        env,
        input: untracked.value.join('\0'),
      });
      if (!added.ok) return { ok: false, code: 'GIT_FAILED', message: added.message };
    }
    const args = ['diff', '--no-color', '--no-ext-diff', '--no-textconv', wt.baseCommit, '--'];
    const diff = await git(wt.path, args, { env });
    return diff.ok ? { ok: true, value: diff.stdout } : { ok: false, code: 'GIT_FAILED', message: diff.message };
  });
}

export interface WorktreeState {
  /** Tracked files with uncommitted changes plus untracked files (not ignored, not copied in by us). */
  uncommitted: string[];
  /** Commits on the branch (or the worktree's HEAD, whichever has more) that the base does not have. */
  commitsAhead: number;
}

async function countAhead(cwd: string, baseCommit: string, ref: string): Promise<number> {
  const out = await git(cwd, ['rev-list', '--count', `${baseCommit}..${ref}`, '--'], { readOnly: true });
  return out.ok ? Number.parseInt(out.stdout.trim(), 10) || 0 : 0;
}

/** What would be lost by removing a worktree and its branch. */
export async function worktreeState(wt: WorktreeAtBase & { branch: string; repoRoot: string }): Promise<ChangesResult<WorktreeState>> {
  const branchAhead = await countAhead(wt.repoRoot, wt.baseCommit, `refs/heads/${wt.branch}`);
  if (!existsSync(wt.path)) return { ok: true, value: { uncommitted: [], commitsAhead: branchAhead } };
  const status = await git(wt.path, ['status', '--porcelain', '-z', '--no-renames', '--untracked-files=no'], { readOnly: true });
  if (!status.ok) return { ok: false, code: 'GIT_FAILED', message: status.message };
  const untracked = await untrackedFiles(wt.path);
  if (!untracked.ok) return untracked;
  // Porcelain -z entries are `XY path` (no rename pairs with --no-renames).
  const tracked = splitNul(status.stdout).map((entry) => entry.slice(3));
  const headAhead = await countAhead(wt.path, wt.baseCommit, 'HEAD');
  return { ok: true, value: { uncommitted: [...tracked, ...untracked.value].sort(), commitsAhead: Math.max(branchAhead, headAhead) } };
}
