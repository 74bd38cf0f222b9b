import { execFile } from 'node:child_process';

/** A repo's setup (`pnpm install`, a build) may take long on a cold cache; longer than this is stuck. */
const SETUP_TIMEOUT_MS = 30 * 60_000;

export interface SetupResult {
  ok: boolean;
  exitCode: number | null;
  /** The last lines of its output, for the report. */
  tail: string;
}

/**
 * Runs the repo's `setup` command from `flotilla.yaml` once in a new worktree, through `sh -c`:
 * the command is the user's own config, never text from a ticket.
 */
export function runSetup(worktreePath: string, command: string): Promise<SetupResult> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd: worktreePath, timeout: SETUP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const tail = `${stdout}${stderr}`.trim().split('\n').slice(-5).join('\n');
      const exitCode = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ ok: error === null, exitCode, tail });
    });
  });
}
