import { execFile } from 'node:child_process';

/** What one git command did; a non-zero exit is a value, not a throw. */
export interface GitResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Git never asks a question the director cannot answer: no terminal prompts for credentials, no
 * editor. A push waiting for a password would hang a cycle forever.
 */
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_ASKPASS: '', SSH_ASKPASS: '' };

/** A fetch or push over a slow link may take minutes; anything longer is stuck. */
const GIT_TIMEOUT_MS = 10 * 60_000;

/**
 * Runs `git <args>` in `cwd` with execFile: arguments are passed as they are, never through a
 * shell, so a ticket title in a commit message cannot run anything.
 */
export function runGit(cwd: string, args: readonly string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ exitCode: code, stdout: stdout.toString(), stderr: stderr.toString() || (error !== null && typeof error.code !== 'number' ? error.message : '') });
    });
  });
}

/** Runs git and returns trimmed stdout, throwing a `GitError` (with git's own words) on failure. */
export async function git(cwd: string, args: readonly string[]): Promise<string> {
  const result = await runGit(cwd, args);
  if (result.exitCode !== 0) throw new GitError(args, result);
  return result.stdout.trim();
}

export class GitError extends Error {
  readonly code = 'GIT_FAILED';
  readonly result: GitResult;
  constructor(args: readonly string[], result: GitResult) {
    super(`git ${args.slice(0, 3).join(' ')} failed (exit ${result.exitCode}): ${result.stderr.trim().split('\n').slice(-3).join(' / ')}`);
    this.name = 'GitError';
    this.result = result;
  }
}
