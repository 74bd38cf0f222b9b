/**
 * The small shapes every Flotilla command line shares (`cb`, `mesh`, `cb-telegram`, the director):
 * where output goes, how one JSON document or a line is printed, the errors a command ends with,
 * and the stop signal. No dependencies, so `cb`'s bundled fast path can carry it.
 */

/** The user-facing output of a CLI, injected so tests can capture it. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliStreams {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: AsyncIterable<string | Buffer> & { isTTY?: boolean };
}

/** The process's own streams. */
export function processStreams(): CliStreams {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin };
}

/** Resolves with the signal's name when the process is asked to stop (SIGINT / SIGTERM). */
export function untilStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}

/** Prints exactly one JSON document. */
export function printJson(out: OutputStream, value: unknown): void {
  out.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLine(out: OutputStream, text = ''): void {
  out.write(`${text}\n`);
}

/** Ends the CLI with `exitCode`. Whatever needed saying has been printed already, unless `message` is set. */
export class ExitError extends Error {
  readonly exitCode: number;
  constructor(exitCode: number, message = '') {
    super(message);
    this.name = 'ExitError';
    this.exitCode = exitCode;
  }
}

/** The user asked for something malformed (a bad flag value, a missing argument). Exit code 2. */
export class UsageError extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string) {
    super(message);
    this.name = 'UsageError';
    this.fix = fix;
  }
}

/**
 * The command cannot run with this configuration (unreadable, invalid, a token missing). It exits
 * with `CONFIG_EXIT_CODE`, so a supervisor does not start it again until the configuration changes.
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
