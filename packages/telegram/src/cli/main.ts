/** The `cb-telegram` command line: runs the program and turns errors into words and exit codes. */
import { isProtocolError } from '@flotilla/protocol';
import { redact } from '../bot/errors.js';
import { PollerLockedError } from '../config/lock.js';
import { CONFIG_EXIT_CODE, ConfigError, ExitError, UsageError, processContext, type CliContext, type OutputStream } from './context.js';
import { runProgram } from './program.js';

/** Runs `cb-telegram` with `argv`; resolves the exit code. Never throws. */
export async function main(argv: readonly string[], ctx: CliContext = processContext()): Promise<number> {
  try {
    return await runProgram(argv, ctx);
  } catch (error) {
    return reportError(error, ctx.streams.stderr, [ctx.env.TELEGRAM_BOT_TOKEN, ctx.env.TELEGRAM_TRANSCRIBE_KEY]);
  }
}

/** Prints `error` for a person (with its fix when it has one), secrets cut out; returns the exit code. */
export function reportError(error: unknown, stderr: OutputStream, secrets: readonly (string | undefined)[] = []): number {
  const say = (text: string): void => void stderr.write(redact(text, secrets));
  if (error instanceof ExitError) {
    if (error.message) say(`${error.message}\n`);
    return error.exitCode;
  }
  if (error instanceof UsageError) {
    say(`cb-telegram: ${error.message}\n${error.fix ? `  fix: ${error.fix}\n` : ''}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    say(`cb-telegram: ${error.message}\n${error.fix ? `  fix: ${error.fix}\n` : ''}`);
    return CONFIG_EXIT_CODE;
  }
  if (error instanceof PollerLockedError) {
    say(`cb-telegram: ${error.message}\n`);
    return 3;
  }
  if (isProtocolError(error)) {
    say(`cb-telegram: ${error.message}\n${error.fix ? `  fix: ${error.fix}\n` : ''}`);
    return 1;
  }
  const { message } = error as { message?: string };
  say(`cb-telegram: ${message ?? String(error)}\n`);
  return 1;
}
