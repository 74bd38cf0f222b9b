import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export interface TempDir extends AsyncDisposable {
  path: string;
}

/**
 * Creates a fresh directory under the OS temp dir, removed recursively on dispose.
 *
 * @example
 * await using tmp = await makeTempDir('cb-test-');
 */
export async function makeTempDir(prefix = 'testkit-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }),
  };
}

/** Git settings that keep the repo independent of the machine's global config. */
const GIT_ENV = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

async function git(dir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('git', args, {
    cwd: dir,
    env: { ...process.env, ...GIT_ENV },
  });
  return stdout.trim();
}

/**
 * Turns `dir` (which must exist) into a git repo on branch `main` with a local user and one
 * commit holding `README.md`. Returns `dir`.
 *
 * @example
 * const repo = await makeGitRepo(tmp.path);
 */
export async function makeGitRepo(dir: string): Promise<string> {
  await git(dir, ['init', '-q', '-b', 'main']);
  await git(dir, ['config', 'user.name', 'Testkit']);
  await git(dir, ['config', 'user.email', 'testkit@example.invalid']);
  await git(dir, ['config', 'commit.gpgsign', 'false']);
  await writeFile(join(dir, 'README.md'), '# fixture repo\n');
  await git(dir, ['add', 'README.md']);
  await git(dir, ['commit', '-q', '-m', 'initial commit']);
  return dir;
}
