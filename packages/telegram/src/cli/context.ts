/** Everything a `cb-telegram` command touches outside itself, injected so tests can replace it. */
import { processStreams, untilStopSignal, type CliStreams } from '@flotilla/kit/cli';
import type { Env } from '../config/paths.js';
import { resolveHome } from '../config/paths.js';

export { CONFIG_EXIT_CODE, ConfigError, createLineReader, ExitError, printJson, printLine, UsageError, type CliStreams, type OutputStream } from '@flotilla/kit/cli';

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
    streams: processStreams(),
    home: resolveHome(process.env),
    stopSignal: untilStopSignal,
  };
}
