import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import createDebug from 'debug';
import { refSafe } from '../tickets/ticket.js';
import { git, runGit } from './run-git.js';

const debug = createDebug('director:git');

export interface EnsureWorktreeInput {
  /** The repo's own checkout. */
  repoPath: string;
  repoName: string;
  branch: string;
  /** The base branch a new ticket branch starts from (`origin/<base>` when a remote has it). */
  base: string;
  /** Where worktrees live (never inside the user's checkout). */
  worktreesDir: string;
}

export interface Worktree {
  path: string;
  branch: string;
  /** How the branch was found: made now from the base, an existing local branch, or fetched from origin. */
  from: 'base' | 'local_branch' | 'remote_branch';
  /** An existing worktree of this branch was reused. */
  reused: boolean;
  /** The commit the branch started from (the base's merge-base with it). */
  baseCommit: string;
}

/**
 * The worktree of a ticket's branch: the existing one when the branch is already checked out
 * somewhere, else a new one on the existing branch (local, then `origin`), else a new branch off the
 * base. Never a second branch or a second worktree for one ticket.
 *
 * @example
 * const wt = await ensureWorktree({ repoPath, repoName: 'api', branch: 'flotilla/t/board-AUTH-12', base: 'main', worktreesDir });
 */
export function ensureWorktree(input: EnsureWorktreeInput): Promise<Worktree> {
  return serialized(input.repoPath, () => makeWorktree(input));
}

async function makeWorktree(input: EnsureWorktreeInput): Promise<Worktree> {
  const remote = await hasRemote(input.repoPath, 'origin');
  if (remote) await runGit(input.repoPath, ['fetch', '--quiet', 'origin']);
  const baseRef = await resolveBase(input.repoPath, input.base, remote);
  const existing = await worktreeOfBranch(input.repoPath, input.branch);
  if (existing !== null && existsSync(existing)) {
    debug('reusing worktree %s of %s', existing, input.branch);
    return { path: existing, branch: input.branch, from: 'local_branch', reused: true, baseCommit: await mergeBase(existing, baseRef) };
  }
  await runGit(input.repoPath, ['worktree', 'prune']);
  const path = join(input.worktreesDir, refSafe(input.repoName), refSafe(input.branch.replace(/\//g, '-')));
  await mkdir(join(input.worktreesDir, refSafe(input.repoName)), { recursive: true });
  let from: Worktree['from'];
  if (await refExists(input.repoPath, `refs/heads/${input.branch}`)) {
    from = 'local_branch';
    await git(input.repoPath, ['worktree', 'add', '--quiet', path, input.branch]);
  } else if (remote && (await refExists(input.repoPath, `refs/remotes/origin/${input.branch}`))) {
    from = 'remote_branch';
    await git(input.repoPath, ['worktree', 'add', '--quiet', '-b', input.branch, path, `origin/${input.branch}`]);
  } else {
    from = 'base';
    await git(input.repoPath, ['worktree', 'add', '--quiet', '--no-track', '-b', input.branch, path, baseRef]);
  }
  debug('worktree %s on %s (%s)', path, input.branch, from);
  return { path, branch: input.branch, from, reused: false, baseCommit: await mergeBase(path, baseRef) };
}

/** Removes the worktree (its branch stays, with whatever was committed on it). */
export function removeWorktree(repoPath: string, path: string): Promise<void> {
  return serialized(repoPath, async () => {
    if (existsSync(path)) await git(repoPath, ['worktree', 'remove', '--force', path]);
    await runGit(repoPath, ['worktree', 'prune']);
  });
}

/**
 * Worktree bookkeeping and fetches of one repository run one at a time within this process:
 * concurrent `git fetch` or `worktree add` in one repository fight over the same lock files.
 * (Directors in other processes are kept apart by the ledger's batch claims.)
 */
const repoQueues = new Map<string, Promise<unknown>>();
function serialized<T>(repoPath: string, fn: () => Promise<T>): Promise<T> {
  const previous = repoQueues.get(repoPath) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(fn);
  repoQueues.set(repoPath, next);
  void next.finally(() => {
    if (repoQueues.get(repoPath) === next) repoQueues.delete(repoPath);
  }).catch(() => undefined);
  return next;
}

export async function hasRemote(repoPath: string, name: string): Promise<boolean> {
  const remotes = await git(repoPath, ['remote']);
  return remotes.split('\n').includes(name);
}

export async function refExists(repoPath: string, ref: string): Promise<boolean> {
  return (await runGit(repoPath, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).exitCode === 0;
}

/** The path of the worktree that has `branch` checked out, if any. */
export async function worktreeOfBranch(repoPath: string, branch: string): Promise<string | null> {
  const listing = await git(repoPath, ['worktree', 'list', '--porcelain']);
  let path: string | null = null;
  for (const line of listing.split('\n')) {
    if (line.startsWith('worktree ')) path = line.slice('worktree '.length);
    if (line === `branch refs/heads/${branch}`) return path;
  }
  return null;
}

/** `origin/<base>` when the remote has it (the freshest), else the local `<base>`. */
async function resolveBase(repoPath: string, base: string, remote: boolean): Promise<string> {
  if (remote && (await refExists(repoPath, `refs/remotes/origin/${base}`))) return `origin/${base}`;
  if (await refExists(repoPath, base)) return base;
  throw new Error(`the base "${base}" is neither a branch of ${repoPath} nor of its origin`);
}

async function mergeBase(path: string, baseRef: string): Promise<string> {
  return git(path, ['merge-base', 'HEAD', baseRef]);
}
