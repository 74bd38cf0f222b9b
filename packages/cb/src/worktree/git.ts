import createDebug from 'debug';
import { execFileResult, type ExecResult } from '@flotilla/kit/process';

const debug = createDebug('cb:worktree');

/** Plumbing commands are quick; a minute means a hung filesystem or a credential prompt, not progress. */
const GIT_TIMEOUT_MS = 60_000;

/** Variables that would point git at some other repository or index than the one we name. */
const INHERITED_GIT_VARS = [
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_NAMESPACE',
  'GIT_CEILING_DIRECTORIES',
  'GIT_PREFIX',
];

export interface GitOptions {
  input?: string;
  /** Extra variables, e.g. a temporary `GIT_INDEX_FILE`. */
  env?: Record<string, string>;
  /** Take no optional locks: the agent may be running git in the same worktree. */
  readOnly?: boolean;
}

export type GitOutcome = { ok: true; stdout: string } | { ok: false; message: string; result: ExecResult };

function gitEnv(options: GitOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of INHERITED_GIT_VARS) delete env[name];
  env.LC_ALL = 'C';
  env.GIT_TERMINAL_PROMPT = '0';
  if (options.readOnly) env.GIT_OPTIONAL_LOCKS = '0';
  return { ...env, ...options.env };
}

/** Runs `git <args>` in `cwd`; never rejects. */
export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitOutcome> {
  const result = await execFileResult('git', args, {
    cwd,
    env: gitEnv(options),
    input: options.input,
    timeoutMs: GIT_TIMEOUT_MS,
  });
  if (result.exitCode === 0) return { ok: true, stdout: result.stdout };
  const detail = result.timedOut ? `timed out after ${GIT_TIMEOUT_MS} ms` : result.stderr.trim() || `exit ${result.exitCode}`;
  // Quiet probes (`show-ref --quiet`, `config --get`) fail with nothing to say; only real failures are logged.
  if (result.stderr.trim() || result.timedOut) debug('git %s in %s failed: %s', args[0], cwd, detail);
  return { ok: false, message: `git ${args[0]} failed: ${detail}`, result };
}

/** NUL-separated git output (`-z`) as a list. */
export function splitNul(text: string): string[] {
  return text.split('\0').filter((s) => s.length > 0);
}

/**
 * The top of the git working tree containing `cwd`, or null when it is not in one.
 *
 * @example
 *   const root = await findRepoRoot(process.cwd()); // '/home/me/src/app' or null
 */
export async function findRepoRoot(cwd: string): Promise<string | null> {
  const out = await git(cwd, ['rev-parse', '--show-toplevel'], { readOnly: true });
  if (!out.ok) return null;
  const root = out.stdout.trim();
  return root.length > 0 ? root : null;
}

/**
 * The checked-out branch's short name, or the commit hash when HEAD is detached; null when unknown.
 *
 * @example
 *   await currentRef(root); // 'main', or 'f3c1…' when detached
 */
export async function currentRef(root: string): Promise<string | null> {
  const branch = await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { readOnly: true });
  if (branch.ok && branch.stdout.trim()) return branch.stdout.trim();
  const commit = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD'], { readOnly: true });
  return commit.ok && commit.stdout.trim() ? commit.stdout.trim() : null;
}

/** The commit a ref names, or null (refs that look like options are refused). */
export async function resolveCommit(root: string, ref: string): Promise<string | null> {
  if (ref.startsWith('-') || ref.length === 0) return null;
  const out = await git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { readOnly: true });
  return out.ok && out.stdout.trim() ? out.stdout.trim() : null;
}
