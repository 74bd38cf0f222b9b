import { spawn } from 'node:child_process';

export interface RunProcessOptions {
  command: string;
  args: readonly string[];
  cwd: string;
  env: Record<string, string>;
  /** Kill with SIGKILL after this long and report `timedOut` (default 60 s). */
  timeoutMs?: number;
  /** Text written to stdin, which is then closed. Without it stdin is /dev/null. */
  stdin?: string;
  /** Called once the child is running; use it to send signals mid-run. */
  onSpawn?: (child: { pid: number | undefined; kill(signal: NodeJS.Signals): boolean }) => void;
}

export interface RunProcessResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

/** Default cap so a stuck CLI never stalls a test run. */
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Runs a command to completion and captures its output. Expected failures (non-zero exit,
 * signals, timeouts) come back as values; only a spawn failure rejects.
 *
 * @example
 * const run = await runProcess({ command: claudeBin(), args: ['-p', 'hi'], cwd, env });
 */
export function runProcess(options: RunProcessOptions): Promise<RunProcessResult> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      // codex exec blocks reading a piped stdin until EOF, so default to /dev/null.
      stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    if (options.stdin !== undefined) child.stdin?.end(options.stdin);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('spawn', () => options.onSpawn?.({ pid: child.pid, kill: (s) => child.kill(s) }));
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
    });
  });
}

/** Parses JSON Lines output, skipping lines that are not JSON objects. */
export function parseJsonLines(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    try {
      out.push(JSON.parse(trimmed) as Record<string, unknown>);
    } catch {
      // Not a JSON line (banner, warning); skip it.
    }
  }
  return out;
}
