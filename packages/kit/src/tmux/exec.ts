import { execFileResult, type ExecOptions as FileExecOptions, type ExecResult } from '../process/exec-file.js';

export type { ExecResult } from '../process/exec-file.js';

/** What an executor takes besides the argv. */
export type ExecOptions = Pick<FileExecOptions, 'input' | 'timeoutMs'>;

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

/** The exit code a shell reports for "command not found", used when the command could not start. */
const NOT_FOUND_EXIT = 127;

/** An `Executor` that spawns locally (no shell) and kills the command's process group when it exceeds its timeout. */
export function createLocalExecutor(defaults: LocalExecutorOptions = {}): Executor {
  return async ([file, ...args], options = {}) => {
    const result = await execFileResult(file ?? '', args, {
      env: defaults.env ?? process.env,
      input: options.input,
      timeoutMs: options.timeoutMs ?? defaults.timeoutMs ?? 10_000,
    });
    const notFound = result.exitCode === null && result.signal === null && /ENOENT/.test(result.stderr);
    return notFound ? { ...result, exitCode: NOT_FOUND_EXIT } : result;
  };
}
