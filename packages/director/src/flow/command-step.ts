import { spawn } from 'node:child_process';

/** The output a command step keeps: enough of the end of a test run to see what failed. */
const TAIL_BYTES = 64 * 1024;
const NOTE_TAIL_LINES = 40;
const NOTE_TAIL_CHARS = 4000;
/** After SIGTERM on timeout, this long before SIGKILL: a test runner gets to stop its workers. */
const KILL_GRACE_MS = 5000;

export interface CommandResult {
  /** null when it was killed (timeout) or could not start. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  durationMs: number;
  /** The last lines of stdout and stderr together, as they came. */
  tail: string;
}

/**
 * Runs a command step's `command` through `sh -c` in the worktree (the user's own config, never a
 * ticket's text), in its own process group so a timeout kills everything it started.
 */
export function runCommandStep(worktreePath: string, command: string, timeoutMs: number): Promise<CommandResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn('sh', ['-c', command], { cwd: worktreePath, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    };
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      killer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    }, timeoutMs);
    const done = (exitCode: number | null, signal: NodeJS.Signals | null, extra = ''): void => {
      clearTimeout(timer);
      if (killer !== undefined) clearTimeout(killer);
      resolve({ exitCode, signal, timedOut, durationMs: Date.now() - started, tail: tailOf(`${output}${extra}`) });
    };
    child.on('error', (error) => done(null, null, `\n${error.message}`));
    child.on('close', (code, signal) => done(code, signal));
  });
}

function tailOf(output: string): string {
  const lines = output.replace(/\s+$/, '').split('\n').slice(-NOTE_TAIL_LINES).join('\n');
  return lines.length > NOTE_TAIL_CHARS ? `…${lines.slice(-NOTE_TAIL_CHARS)}` : lines;
}

/** `$ pnpm test` / `exit 1 after 3.2 s` / the tail: the note the next steps read. */
export function commandNote(command: string, result: CommandResult): string {
  const how = result.timedOut
    ? `timed out after ${seconds(result.durationMs)} (killed)`
    : result.exitCode === null
      ? `ended by ${result.signal ?? 'an error'} after ${seconds(result.durationMs)}`
      : `exit ${result.exitCode} after ${seconds(result.durationMs)}`;
  return `$ ${command}\n${how}${result.tail === '' ? '' : `\n${result.tail}`}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
