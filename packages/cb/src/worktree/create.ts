import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import createDebug from 'debug';
import { execFileResult, type ExecResult } from '@flotilla/kit/process';
import { currentRef, findRepoRoot, git, resolveCommit, type GitOutcome } from './git.js';
import { copyIncludedFiles, type IncludeReport } from './include.js';
import { defaultBranchName } from './slug.js';

const debug = createDebug('cb:worktree');

/** Installing dependencies in a big monorepo can take minutes; ten means it is stuck, not slow. */
export const SETUP_TIMEOUT_MS = 10 * 60_000;
/** Setup output is kept for the job record only; its tail says what went wrong. */
const SETUP_OUTPUT_BYTES = 256 * 1024;
/** Concurrent `git branch`/`git worktree add` on one repository can meet on a lock; these waits outlast it. */
const LOCK_RETRY_DELAYS_MS = [50, 100, 200, 400, 800, 1_600];
const LOCK_RACE = /index\.lock|\.lock'?: File exists|cannot lock ref|could not lock|unable to create .*\.lock|already exists/i;

export interface CreateWorktreeOptions {
  /** Any directory inside the repository; its working-tree root is used. */
  repoRoot: string;
  /** Where worktrees live (under FLOTILLA_HOME), never inside the user's checkout. */
  worktreesDir: string;
  jobId: string;
  prompt: string;
  /** Branch, tag or commit to start from; default: what the main checkout has checked out. */
  base?: string;
  /** Default: `flotilla/<last 8 of the job id>-<slug of the prompt>`. */
  branch?: string;
  /** Default: `git config --get flotilla.setup`. Run once with `sh -c` in the new worktree. */
  setupCommand?: string;
}

/** How the setup command went. A failed setup does not undo the worktree: `ok: false` tells the job. */
export interface SetupResult extends ExecResult {
  command: string;
  ok: boolean;
}

export interface CreatedWorktree {
  path: string;
  branch: string;
  /** The base as asked for (`main`), or the main checkout's ref at creation. */
  base: string;
  baseCommit: string;
  repoRoot: string;
  setup: SetupResult | null;
  included: IncludeReport;
}

export type CreateWorktreeErrorCode = 'NOT_A_GIT_REPO' | 'WORKTREE_FAILED';
export type CreateWorktreeResult =
  | { ok: true; value: CreatedWorktree }
  | { ok: false; code: CreateWorktreeErrorCode; message: string };

function failed(message: string): { ok: false; code: 'WORKTREE_FAILED'; message: string } {
  return { ok: false, code: 'WORKTREE_FAILED', message };
}

/**
 * `<worktreesDir>/<repo-name>-<8 hex of sha256(repoRoot)>/<jobId>`: one folder per repository, so two
 * checkouts called `app` never share one.
 */
export function worktreePathFor(worktreesDir: string, repoRoot: string, jobId: string): string {
  const hash = createHash('sha256').update(repoRoot).digest('hex').slice(0, 8);
  const name = basename(repoRoot).replace(/[^A-Za-z0-9._-]/g, '-') || 'repo';
  return join(worktreesDir, `${name}-${hash}`, jobId);
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

interface Plan {
  root: string;
  base: string;
  baseCommit: string;
  branch: string;
}

async function plan(options: CreateWorktreeOptions): Promise<{ ok: true; value: Plan } | { ok: false; code: CreateWorktreeErrorCode; message: string }> {
  const root = await findRepoRoot(options.repoRoot);
  if (!root) return { ok: false, code: 'NOT_A_GIT_REPO', message: `${options.repoRoot} is not inside a git working tree` };
  if (!/^[A-Za-z0-9_-]+$/.test(options.jobId)) return failed(`job id ${JSON.stringify(options.jobId)} is not usable as a folder name`);
  const base = options.base ?? (await currentRef(root));
  if (!base) return failed(`${root} has no commits yet; commit something first or pass a base`);
  const baseCommit = await resolveCommit(root, base);
  if (!baseCommit) return failed(`base ${JSON.stringify(base)} is not a branch, tag or commit in ${root}`);
  const branch = options.branch ?? defaultBranchName(options.jobId, options.prompt);
  const valid = !branch.startsWith('-') && (await git(root, ['check-ref-format', '--branch', branch], { readOnly: true })).ok;
  if (!valid) return failed(`${JSON.stringify(branch)} is not a valid branch name`);
  if ((await git(root, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { readOnly: true })).ok) {
    return failed(`branch ${branch} already exists in ${root}; pick another branch name`);
  }
  return { ok: true, value: { root, base, baseCommit, branch } };
}

/** Runs a git step, retrying while another git process holds a lock it needs. */
async function withLockRetry(step: () => Promise<GitOutcome>, beforeRetry?: () => Promise<void>): Promise<GitOutcome> {
  let outcome = await step();
  for (const delay of LOCK_RETRY_DELAYS_MS) {
    if (outcome.ok || !LOCK_RACE.test(outcome.message)) return outcome;
    debug('git lock race (%s), retrying in %d ms', outcome.message, delay);
    await sleep(delay + Math.floor(Math.random() * delay));
    await beforeRetry?.();
    outcome = await step();
  }
  return outcome;
}

async function addWorktree(p: Plan, path: string): Promise<GitOutcome> {
  const branched = await withLockRetry(() => git(p.root, ['branch', '--no-track', p.branch, p.baseCommit]));
  if (!branched.ok) return branched;
  const discardPartial = async (): Promise<void> => {
    await rm(path, { recursive: true, force: true });
    await git(p.root, ['worktree', 'prune']);
  };
  const added = await withLockRetry(() => git(p.root, ['worktree', 'add', '--quiet', path, p.branch]), discardPartial);
  if (!added.ok) {
    await discardPartial();
    await git(p.root, ['branch', '-D', p.branch]);
  }
  return added;
}

async function setupCommandFor(root: string, explicit: string | undefined): Promise<string | null> {
  if (explicit !== undefined) return explicit.trim() || null;
  const configured = await git(root, ['config', '--get', 'flotilla.setup'], { readOnly: true });
  return configured.ok ? configured.stdout.trim() || null : null;
}

/** Runs the repository's own configured setup command (not user-typed text) once, in the new worktree. */
async function runSetup(command: string, path: string, p: Plan, jobId: string): Promise<SetupResult> {
  debug('running setup in %s', path);
  const result = await execFileResult('sh', ['-c', command], {
    cwd: path,
    env: { ...process.env, FLOTILLA_JOB_ID: jobId, FLOTILLA_WORKTREE: path, FLOTILLA_REPO_ROOT: p.root },
    timeoutMs: SETUP_TIMEOUT_MS,
    maxOutputBytes: SETUP_OUTPUT_BYTES,
  });
  const ok = result.exitCode === 0 && !result.timedOut;
  debug('setup in %s %s after %d ms', path, ok ? 'succeeded' : 'failed', result.durationMs);
  return { ...result, command, ok };
}

/**
 * Creates a job's worktree on a new branch, copies `.worktreeinclude` files into it and runs the
 * setup command. Safe to call concurrently for one repository.
 *
 * @example
 *   const wt = await createWorktree({ repoRoot: cwd, worktreesDir: join(home, 'worktrees'), jobId, prompt });
 *   if (!wt.ok) throw new ExitError(wt.message);
 *   if (wt.value.setup && !wt.value.setup.ok) warn(`setup failed: ${wt.value.setup.stderr}`);
 */
export async function createWorktree(options: CreateWorktreeOptions): Promise<CreateWorktreeResult> {
  const planned = await plan(options);
  if (!planned.ok) return planned;
  const p = planned.value;
  if (isInside(p.root, resolve(options.worktreesDir))) return failed(`worktrees must live outside the checkout, not in ${options.worktreesDir}`);
  let path: string;
  try {
    await mkdir(options.worktreesDir, { recursive: true });
    path = worktreePathFor(await realpath(options.worktreesDir), p.root, options.jobId);
    if (existsSync(path)) return failed(`${path} already exists; is job ${options.jobId} already running?`);
    await mkdir(join(path, '..'), { recursive: true });
  } catch (error) {
    return failed(`cannot prepare ${options.worktreesDir}: ${(error as Error).message}`);
  }
  const added = await addWorktree(p, path);
  if (!added.ok) return failed(`could not create the worktree: ${added.message}`);
  debug('created worktree %s on %s from %s', path, p.branch, p.baseCommit);
  const included = await copyIncludedFiles(p.root, path);
  const command = await setupCommandFor(p.root, options.setupCommand);
  const setup = command ? await runSetup(command, path, p, options.jobId) : null;
  const value = { path, branch: p.branch, base: p.base, baseCommit: p.baseCommit, repoRoot: p.root, setup, included };
  return { ok: true, value };
}
