/** The `mesh` command line: runs the program and turns errors into words and exit codes. */
import { isProtocolError } from '@flotilla/protocol';
import { ExitError, UsageError, processContext, type MeshStreams } from './context.js';
import { runProgram } from './program.js';

/** Runs `mesh` with `argv`; resolves the exit code. Never throws. */
export async function main(argv: readonly string[], ctx = processContext()): Promise<number> {
  try {
    return await runProgram(argv, ctx);
  } catch (error) {
    return reportError(error, ctx.streams);
  }
}

/** Prints `error` for a person (with its fix when it has one) and returns the exit code. */
export function reportError(error: unknown, streams: MeshStreams): number {
  if (error instanceof ExitError) {
    if (error.message) streams.stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    streams.stderr.write(`mesh: ${error.message}\n${error.fix ? `  fix: ${error.fix}\n` : ''}`);
    return 2;
  }
  if (isProtocolError(error)) {
    streams.stderr.write(`mesh: ${error.message}\n${error.fix ? `  fix: ${error.fix}\n` : ''}`);
    return 1;
  }
  const { code, message } = error as { code?: string; message?: string };
  if (code === 'DAEMON_UNAVAILABLE') {
    streams.stderr.write('mesh: the hub is not running\n  fix: start it with `mesh serve` (or pass --hub URL)\n');
    return 1;
  }
  streams.stderr.write(`mesh: ${message ?? String(error)}\n`);
  return 1;
}
