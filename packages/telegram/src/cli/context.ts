/** Everything a `cb-telegram` command touches outside itself, injected so tests can replace it. */
import type { CliStreams } from '@flotilla/kit/cli';
import type { Env } from '../config/paths.js';
import { resolveHome } from '../config/paths.js';

export { createLineReader, ExitError, printJson, printLine, UsageError, type CliStreams, type OutputStream } from '@flotilla/kit/cli';

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
