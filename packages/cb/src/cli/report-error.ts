/** The one place errors become output and an exit code. Loaded only when something went wrong. */
import { PROTOCOL_VERSION, isProtocolError } from '@flotilla/protocol';
import { DaemonUnavailableError, ExitError, UsageError, WireError, isCliError, isConnectionError } from './errors.js';
import { printJson, printLine, type CliStreams } from './streams.js';
import { VERSION as CB_VERSION } from '../version.js';

export interface ReportOptions {
  streams: CliStreams;
  /** The command was asked for JSON: the error goes to stdout as `{"error": {...}}` too. */
  json: boolean;
  logPath: string;
}

interface Reported {
  code: string;
  message: string;
  fix?: string;
  exitCode: number;
  detail?: string;
}

/** Prints `error` for a person (stderr) and, with --json, for a program (stdout); returns the exit code. */
export function reportError(error: unknown, options: ReportOptions): number {
  if (isCliError(error, ExitError)) {
    if (error.message) printLine(options.streams.stderr, `cb: ${error.message}`);
    return error.exitCode;
  }
  const reported = classify(error, options.logPath);
  const { stderr, stdout } = options.streams;
  printLine(stderr, `cb: ${reported.message}`);
  if (reported.detail) printLine(stderr, reported.detail);
  if (reported.fix) printLine(stderr, `fix: ${reported.fix}`);
  if (options.json) {
    const body: { code: string; message: string; fix?: string } = { code: reported.code, message: reported.message };
    if (reported.fix) body.fix = reported.fix;
    printJson(stdout, { error: body });
  }
  return reported.exitCode;
}

function classify(error: unknown, logPath: string): Reported {
  if (isCliError(error, UsageError)) {
    return { code: 'BAD_REQUEST', message: error.message, fix: error.fix ?? 'see cb --help', exitCode: 2 };
  }
  if (isCliError(error, DaemonUnavailableError)) {
    return { code: 'DAEMON_UNAVAILABLE', message: error.message, fix: `see the daemon log: ${error.logPath}`, exitCode: 1 };
  }
  if (isCliError(error, WireError) || isProtocolError(error)) {
    const { code, message, fix } = error as WireError;
    return { code, message, ...(fix ? { fix } : {}), exitCode: 1 };
  }
  if (isConnectionError(error)) {
    return {
      code: 'DAEMON_UNAVAILABLE',
      message: `the daemon is not reachable (${(error as Error).message})`,
      fix: `see the daemon log: ${logPath}; restart it with: cb daemon restart`,
      exitCode: 1,
    };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  return {
    code: 'INTERNAL',
    message: `internal error: ${err.message}`,
    detail: err.stack?.split('\n').slice(1).join('\n'),
    fix: `this is a bug in cb; please open an issue with this output and: ${versionLine()}`,
    exitCode: 1,
  };
}

export function versionLine(): string {
  return `cb ${CB_VERSION}, protocol ${PROTOCOL_VERSION}, node ${process.version}, ${process.platform} ${process.arch}`;
}
