/**
 * Local (never serialized) CLI errors. Kept free of `@flotilla/protocol` so the fast path does
 * not load zod; wire errors from the typed client are `ProtocolError`s (see `report-error.ts`).
 * `ExitError` and `UsageError` are every Flotilla CLI's, from the kit (it has no dependencies).
 */
export { ExitError, UsageError } from '@flotilla/kit/cli';

/** The daemon could not be reached or started. */
export class DaemonUnavailableError extends Error {
  readonly logPath: string;
  constructor(message: string, logPath: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DaemonUnavailableError';
    this.logPath = logPath;
  }
}

/** An error envelope received on the fast path, where `ProtocolError` (and zod) are not loaded. */
export class WireError extends Error {
  readonly code: string;
  readonly fix: string | undefined;
  readonly status: number;
  constructor(status: number, code: string, message: string, fix?: string) {
    super(message);
    this.name = 'WireError';
    this.status = status;
    this.code = code;
    this.fix = fix;
  }
}

/**
 * `error instanceof type`, by name: the fast path (a CommonJS bundle) has its own copies of these
 * classes, so `instanceof` fails across the two; each class sets a unique `name`.
 */
export function isCliError<T extends Error>(error: unknown, type: abstract new (...args: never[]) => T): error is T {
  return error instanceof Error && error.name === type.name;
}

/** Builds a `WireError` from a non-2xx response body, whatever shape it has. */
export function wireErrorFrom(status: number, body: unknown): WireError {
  const error = (body as { error?: { code?: unknown; message?: unknown; fix?: unknown } } | null)?.error;
  if (error && typeof error.code === 'string' && typeof error.message === 'string') {
    return new WireError(status, error.code, error.message, typeof error.fix === 'string' ? error.fix : undefined);
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new WireError(status, 'INTERNAL', `unexpected response ${status}: ${(text ?? '').slice(0, 500)}`);
}

/** Codes that mean the daemon's socket could not be reached (kit's transport says DAEMON_UNAVAILABLE). */
const CONNECTION_CODES = new Set(['DAEMON_UNAVAILABLE', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ENOTSOCK']);

/** True when `error` (or one of its causes) says the socket could not be reached. */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    const { code, syscall } = current as { code?: unknown; syscall?: unknown };
    if (typeof code === 'string' && (CONNECTION_CODES.has(code) || (code === 'ENOENT' && syscall === 'connect'))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
