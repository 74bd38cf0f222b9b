/** Everything a `flotilla-director` command touches outside itself, injected so tests can replace it. */
import type { CliStreams } from '@flotilla/kit/cli';
import { resolveHome, type Env } from '../hub/server.js';

export { ExitError, UsageError, printJson, printLine, type OutputStream } from '@flotilla/kit/cli';

export interface DirectorCliContext {
  env: Env;
  streams: CliStreams;
  /** The working directory `--config` is relative to. */
  cwd: string;
  /** FLOTILLA_HOME. */
  home: string;
  /** Resolves when the process is asked to stop (SIGINT / SIGTERM). */
  stopSignal(): Promise<string>;
}

export function processContext(): DirectorCliContext {
  return {
    env: process.env,
    streams: { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin },
    cwd: process.cwd(),
    home: resolveHome(process.env),
    stopSignal: () =>
      new Promise((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      }),
  };
}

/** The configuration cannot be used (unreadable, invalid, a token missing). Exit code 78 (EX_CONFIG). */
export class ConfigError extends Error {
  readonly fix: string | undefined;
  constructor(message: string, fix?: string) {
    super(message);
    this.name = 'ConfigError';
    this.fix = fix;
  }
}

export const CONFIG_EXIT_CODE = 78;
