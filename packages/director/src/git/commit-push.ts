import { git, runGit } from './run-git.js';
import { hasRemote } from './worktree.js';

export type CommitResult = { committed: true; commit: string } | { committed: false; reason: string };

/** Used only when the repo has no identity of its own configured, so a commit never fails on it. */
const FALLBACK_IDENTITY = ['-c', 'user.name=Flotilla director', '-c', 'user.email=director@flotilla.invalid'];

/**
 * Commits everything the agent left uncommitted in the worktree (new, changed and deleted files)
 * with the given message, except `exclude` (what the repo's setup command made); says so when
 * there is nothing to commit.
 */
export async function commitLeftovers(worktreePath: string, message: string, options: { exclude?: readonly string[] } = {}): Promise<CommitResult> {
  const excluded = (options.exclude ?? []).map((path) => `:(exclude,literal)${path.replace(/\/$/, '')}`);
  await git(worktreePath, ['add', '--all', '--', '.', ...excluded]);
  const staged = await runGit(worktreePath, ['diff', '--cached', '--quiet']);
  if (staged.exitCode === 0) return { committed: false, reason: 'nothing to commit: the agent left no uncommitted changes' };
  const identity = (await runGit(worktreePath, ['config', 'user.email'])).stdout.trim() === '' ? FALLBACK_IDENTITY : [];
  await git(worktreePath, [...identity, 'commit', '--quiet', '--no-verify', '-m', message]);
  return { committed: true, commit: await git(worktreePath, ['rev-parse', 'HEAD']) };
}

/** Commits on the branch that its base does not have. */
export async function commitsAhead(worktreePath: string, baseCommit: string): Promise<number> {
  return Number(await git(worktreePath, ['rev-list', '--count', `${baseCommit}..HEAD`]));
}

export type PushResult = { pushed: true; remote: string } | { pushed: false; reason: string };

/** Pushes the branch to `origin` when the repo has one; a repo without remotes is local-only. */
export async function pushBranch(worktreePath: string, branch: string): Promise<PushResult> {
  if (!(await hasRemote(worktreePath, 'origin'))) return { pushed: false, reason: 'the repo has no origin remote; the branch stays local' };
  await git(worktreePath, ['push', '--quiet', 'origin', `refs/heads/${branch}:refs/heads/${branch}`]);
  return { pushed: true, remote: 'origin' };
}

/** `AUTH-12: fix the login` (several tickets: one line each after the first). */
export function commitMessage(tickets: ReadonlyArray<{ id: string; title: string }>): string {
  const [first, ...rest] = tickets;
  if (first === undefined) throw new Error('a commit needs at least one ticket');
  const line = (t: { id: string; title: string }) => `${t.id}: ${t.title.replace(/\s+/g, ' ').trim()}`;
  return rest.length === 0 ? line(first) : `${line(first)}\n\n${rest.map(line).join('\n')}`;
}

/** Untracked files and directories (collapsed: `node_modules/`) and changed files, as git lists them. */
export async function uncommittedPaths(worktreePath: string): Promise<string[]> {
  const untracked = await git(worktreePath, ['ls-files', '--others', '--exclude-standard', '--directory']);
  const changed = await git(worktreePath, ['diff', '--name-only', 'HEAD']);
  return [...untracked.split('\n'), ...changed.split('\n')].filter((line) => line !== '');
}
