/** Everything a `flotilla-director` command touches outside itself, injected so tests can replace it. */
import { processStreams, untilStopSignal, type CliStreams } from '@flotilla/kit/cli';
import { resolveHome, type Env } from '../hub/server.js';

export { CONFIG_EXIT_CODE, ConfigError, ExitError, UsageError, printJson, printLine, type OutputStream } from '@flotilla/kit/cli';

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
    streams: processStreams(),
    cwd: process.cwd(),
    home: resolveHome(process.env),
    stopSignal: untilStopSignal,
  };
}
