import { spawn } from 'node:child_process';

/** The outcome of one process run; a failure to start shows as `exitCode: null, signal: null` with the reason in `stderr`. */
export interface ExecResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface ExecOptions {
  cwd?: string;
  /** The whole environment of the child (not merged with `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Written to stdin, which is then closed; without it stdin is empty. */
  input?: string;
  /** Kill the child's whole process group after this long. */
  timeoutMs?: number;
  /** Keep only the last this-many bytes of each stream (setup and hook output can be endless). */
  maxOutputBytes?: number;
  /** Kill the child's process group when aborted (counted as `timedOut: false`). */
  signal?: AbortSignal;
}

/** After SIGTERM, the grace a process group gets to flush and exit before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** After the child exits, how long to wait for its pipes: a daemonized grandchild may hold them open forever. */
const DRAIN_MS = 1_000;

class OutputBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit && this.chunks.length > 1) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    return (all.length > this.limit ? all.subarray(all.length - this.limit) : all).toString('utf8');
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Ends a child's process group on timeout or abort: SIGTERM, then SIGKILL after a grace. */
class GroupKiller {
  timedOut = false;
  private killed = false;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly pid: number | undefined,
    private readonly options: Pick<ExecOptions, 'timeoutMs' | 'signal'>,
  ) {
    if (options.timeoutMs !== undefined) {
      this.after(options.timeoutMs, () => {
        this.timedOut = true;
        this.terminate();
      });
    }
    if (options.signal?.aborted) this.terminate();
    else options.signal?.addEventListener('abort', this.terminate, { once: true });
  }

  after(ms: number, fn: () => void): void {
    this.timers.push(setTimeout(fn, ms));
  }

  readonly terminate = (): void => {
    this.killed = true;
    killGroup(this.pid, 'SIGTERM');
    this.after(KILL_GRACE_MS, () => killGroup(this.pid, 'SIGKILL'));
  };

  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.options.signal?.removeEventListener('abort', this.terminate);
    // A grandchild that ignored SIGTERM must not outlive a killed run.
    if (this.killed) killGroup(this.pid, 'SIGKILL');
  }
}

/**
 * Runs `file` with `args` (never through a shell) in its own process group and reports how it ended.
 * Never rejects: expected failures (non-zero exit, timeout, missing binary) are in the result.
 *
 * @example
 *   const r = await execFileResult('git', ['status', '--porcelain'], { cwd, timeoutMs: 30_000 });
 *   if (r.exitCode !== 0) console.error(r.stderr);
 */
export function execFileResult(file: string, args: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
  const started = Date.now();
  const limit = options.maxOutputBytes ?? Number.POSITIVE_INFINITY;
  const stdout = new OutputBuffer(limit);
  const stderr = new OutputBuffer(limit);
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: options.env ?? process.env, detached: true, stdio: 'pipe' });
    const killer = new GroupKiller(child.pid, options);
    let settled = false;
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError = ''): void => {
      if (settled) return;
      settled = true;
      killer.dispose();
      const durationMs = Date.now() - started;
      resolve({ exitCode, signal, stdout: stdout.text(), stderr: stderr.text() + spawnError, durationMs, timedOut: killer.timedOut });
    };
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {
      // The child did not read its stdin (EPIPE); that is its business.
    });
    child.stdin.end(options.input ?? '');
    child.on('error', (error) => finish(null, null, error.message));
    child.on('exit', (code, signal) => killer.after(DRAIN_MS, () => finish(code, signal)));
    child.on('close', (code: number | null, signal: NodeJS.Signals | null) => finish(code, signal));
  });
}
