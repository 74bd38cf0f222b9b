import { spawn } from 'node:child_process';

/** Outcome of one command; failures are values, never exceptions. */
export interface ExecResult {
  /** null when killed by a signal or when the command could not start. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface ExecOptions {
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Overrides the executor's default timeout. */
  timeoutMs?: number;
}

/**
 * Runs one argv (no shell) somewhere: locally by default, over SSH later. An SSH executor should
 * run `shellQuote(argv)` remotely and pipe `input` to its stdin.
 */
export type Executor = (argv: string[], options?: ExecOptions) => Promise<ExecResult>;

export interface LocalExecutorOptions {
  /** Default 10 s. */
  timeoutMs?: number;
  /** Environment of the child (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

/** The exit code a shell reports for "command not found", used when spawn fails with ENOENT. */
const NOT_FOUND_EXIT = 127;

/** An `Executor` that spawns locally and SIGKILLs the command when it exceeds its timeout. */
export function createLocalExecutor(defaults: LocalExecutorOptions = {}): Executor {
  return (argv, options = {}) =>
    new Promise((resolve) => {
      const [file, ...args] = argv;
      const started = performance.now();
      const timeoutMs = options.timeoutMs ?? defaults.timeoutMs ?? 10_000;
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      let settled = false;
      const finish = (exitCode: number | null, signal: NodeJS.Signals | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ exitCode, signal, stdout, stderr, durationMs: performance.now() - started, timedOut });
      };
      const child = spawn(file ?? '', args, { env: defaults.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, timeoutMs);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', (error: NodeJS.ErrnoException) => {
        stderr += error.message;
        finish(error.code === 'ENOENT' ? NOT_FOUND_EXIT : null, null);
      });
      child.on('close', (code, signal) => finish(code, signal));
      child.stdin.on('error', () => undefined); // EPIPE when the command exits without reading stdin
      child.stdin.end(options.input);
    });
}
