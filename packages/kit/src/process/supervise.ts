import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** What a supervised child is doing now, for status pages. */
export interface SupervisedState {
  name: string;
  running: boolean;
  pid: number | null;
  /** Times the child was started again after it ended on its own. */
  restarts: number;
  startedAt: string | null;
  /** How the last run ended (`exit 1`, `signal SIGKILL`, a spawn error), null before any ended. */
  lastExit: string | null;
  /** The child's last line on stderr, which usually says why it stopped. */
  lastError: string | null;
}

export interface SuperviseOptions {
  /** Names the child in logs and state (`telegram`). */
  name: string;
  command: string;
  args: string[];
  /** The child's whole environment. */
  env: NodeJS.ProcessEnv;
  cwd?: string;
  /** Each line the child prints, tagged with its stream. */
  onLine?(stream: 'stdout' | 'stderr', line: string): void;
  /** First restart delay; doubles per quick failure up to `maxBackoffMs`. Default 1 s. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** A run at least this long resets the backoff. Default 60 s. */
  stableAfterMs?: number;
  /** An exit code that means "do not start me again" (e.g. a configuration error). Default 78 (EX_CONFIG). */
  giveUpExitCode?: number;
  /** Grace between SIGTERM and SIGKILL on stop. Default 5 s. */
  stopGraceMs?: number;
}

export interface Supervisor {
  state(): SupervisedState;
  /** Stops the child (SIGTERM, then SIGKILL after the grace) and restarts no more. */
  stop(): Promise<void>;
}

/**
 * Runs a child process and starts it again when it ends, with backoff, until `stop()`. The child
 * gets its own process group so that stopping it stops what it started.
 *
 * @example
 * const bot = superviseChild({ name: 'telegram', command: process.execPath, args: [bin], env });
 * await bot.stop();
 */
export function superviseChild(options: SuperviseOptions): Supervisor {
  const backoffMs = options.backoffMs ?? 1_000;
  const maxBackoffMs = options.maxBackoffMs ?? 60_000;
  const stableAfterMs = options.stableAfterMs ?? 60_000;
  const giveUp = options.giveUpExitCode ?? 78;
  const state: SupervisedState = { name: options.name, running: false, pid: null, restarts: 0, startedAt: null, lastExit: null, lastError: null };
  let child: ChildProcess | null = null;
  let exited: Promise<void> = Promise.resolve();
  let delay = backoffMs;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  function start(): void {
    timer = null;
    if (stopped) return;
    const started = Date.now();
    const proc = spawn(options.command, options.args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child = proc;
    Object.assign(state, { running: true, pid: proc.pid ?? null, startedAt: new Date(started).toISOString() });
    forwardLines(proc, options, (line) => (state.lastError = line));
    exited = new Promise((resolve) => {
      let settled = false;
      const ended = (how: string, code: number | null): void => {
        if (settled) return;
        settled = true;
        Object.assign(state, { running: false, pid: null, lastExit: how });
        child = null;
        resolve();
        if (stopped || code === giveUp) return;
        const wait = Date.now() - started >= stableAfterMs ? backoffMs : delay;
        delay = Math.min(wait * 2, maxBackoffMs);
        state.restarts += 1;
        timer = setTimeout(start, wait);
        timer.unref();
      };
      proc.once('error', (error) => ended(`failed to start: ${error.message}`, null));
      proc.once('exit', (code, signal) => ended(signal ? `signal ${signal}` : `exit ${code}`, code));
    });
  }

  start();
  return {
    state: () => ({ ...state }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      const proc = child;
      if (!proc?.pid) return;
      signalGroup(proc.pid, 'SIGTERM');
      const kill = setTimeout(() => signalGroup(proc.pid!, 'SIGKILL'), options.stopGraceMs ?? 5_000);
      await exited;
      clearTimeout(kill);
    },
  };
}

function forwardLines(proc: ChildProcess, options: SuperviseOptions, onError: (line: string) => void): void {
  for (const stream of ['stdout', 'stderr'] as const) {
    const source = proc[stream];
    if (!source) continue;
    createInterface({ input: source }).on('line', (line) => {
      if (stream === 'stderr' && line.trim() !== '') onError(line.slice(0, 500));
      options.onLine?.(stream, line);
    });
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}
