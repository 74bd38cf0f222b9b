import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The package directory: child processes run from here so that `--import tsx` resolves. */
export const PACKAGE_DIR = new URL('../../', import.meta.url).pathname;

/** The absolute path of a module of this package's `src/` (for child scripts to import). */
export function srcModule(relative: string): string {
  return new URL(`../${relative}`, import.meta.url).pathname;
}

/** Runs a TypeScript file in a child Node process (through tsx) and resolves its stdout. */
export async function runTs(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: PACKAGE_DIR,
    env: { ...process.env, ...env },
  });
  return stdout;
}

/** Starts a TypeScript file in a child Node process; the caller waits for or kills it. */
export function spawnTs(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: PACKAGE_DIR, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}
