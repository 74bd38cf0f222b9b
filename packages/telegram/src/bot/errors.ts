/**
 * Errors in words, for the person on the phone: a protocol error's message and its fix, Telegram's
 * own description, or the daemon being gone — with every secret the bot knows cut out.
 */
import { GrammyError, HttpError } from 'grammy';
import { isProtocolError } from '@flotilla/protocol';

export interface ErrorWords {
  message: string;
  fix: string | null;
}

/** What went wrong and what to do, from any thrown value. */
export function describeError(error: unknown): ErrorWords {
  if (isProtocolError(error)) return { message: error.message, fix: error.fix ?? null };
  if (error instanceof GrammyError) return { message: `Telegram refused ${error.method}: ${error.description}`, fix: null };
  if (error instanceof HttpError) return { message: 'Telegram could not be reached', fix: 'the bot retries on its own; check the machine\'s network' };
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'DAEMON_UNAVAILABLE') {
    return { message: 'the Flotilla daemon is not running', fix: 'start it on the machine with `cb daemon start` (or `mesh serve` for a hub)' };
  }
  return { message: typeof message === 'string' && message ? message : String(error), fix: null };
}

/** Replaces every occurrence of each secret (bot token, transcription key) with `[redacted]`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out;
}
