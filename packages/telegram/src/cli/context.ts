/** Everything a `cb-telegram` command touches outside itself, injected so tests can replace it. */
import type { Env } from '../config/paths.js';
import { resolveHome } from '../config/paths.js';

/** The user-facing output of the CLI. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliStreams {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: AsyncIterable<string | Buffer> & { isTTY?: boolean };
}

export interface CliContext {
  env: Env;
  streams: CliStreams;
  /** FLOTILLA_HOME. */
  home: string;
  /** Resolves when the process is asked to stop (SIGINT / SIGTERM); tests resolve it themselves. */
  stopSignal(): Promise<string>;
}

export function processContext(): CliContext {
  return {
    env: process.env,
    streams: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    home: resolveHome(process.env),
    stopSignal: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }),
  };
}

/** Prints exactly one JSON document. */
export function printJson(out: OutputStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(out: OutputStream, text = ''): void {
  out.write(`${text}\n`);
}

/** Ends the CLI with `exitCode` after whatever needed saying was printed. */
export class ExitError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.name = 'ExitError';
    this.exitCode = exitCode;
  }
}

/** The user asked for something malformed. Exit code 2. */
export class UsageError extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string) {
    super(message);
    this.name = 'UsageError';
    this.fix = fix;
  }
}

/**
 * Reads lines from stdin one at a time without closing it between reads (a `for await` that
 * breaks would end the stream). Resolves null at the end of input.
 */
export function createLineReader(stdin: AsyncIterable<string | Buffer>): () => Promise<string | null> {
  const iterator = stdin[Symbol.asyncIterator]();
  let buffered = '';
  let ended = false;
  return async () => {
    for (;;) {
      const newline = buffered.indexOf('\n');
      if (newline >= 0) {
        const line = buffered.slice(0, newline).replace(/\r$/, '');
        buffered = buffered.slice(newline + 1);
        return line;
      }
      if (ended) {
        if (buffered === '') return null;
        const rest = buffered;
        buffered = '';
        return rest;
      }
      const next = await iterator.next();
      if (next.done) ended = true;
      else buffered += typeof next.value === 'string' ? next.value : next.value.toString('utf8');
    }
  };
}

/**
 * The bot cannot start with this configuration (no token, an empty allowlist, an unreadable
 * file). Exit code 78 (EX_CONFIG): a supervisor (`cb serve`) does not start it again until the
 * configuration changes.
 */
export class ConfigError extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string) {
    super(message);
    this.name = 'ConfigError';
    this.fix = fix;
  }
}

/** EX_CONFIG from sysexits.h. */
export const CONFIG_EXIT_CODE = 78;
