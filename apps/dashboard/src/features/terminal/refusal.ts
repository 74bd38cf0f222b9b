/**
 * What to do when the terminal stream closed before its `hello`. A browser never sees why an
 * upgrade was refused (the status and the `x-flotilla-error` header are hidden from WebSocket
 * clients), so the page asks the same URL once more with a plain GET and reads the JSON error.
 * The daemon checks the session before the upgrade: an exited, unknown or external session answers
 * with its own error; a streamable one answers `BAD_REQUEST` ("this is a WebSocket endpoint").
 */
export type RefusalAction =
  /** Try again later (daemon down or restarting, a transient failure). */
  | 'retry'
  /** Nothing to stream and never will be (exited, unknown, started outside Flotilla). */
  | 'stop'
  /** The session streams, but typing was refused: go back to read-only. */
  | 'read-only';

export interface Refusal {
  action: RefusalAction;
  message: string;
}

/** What the probe saw: the HTTP status and JSON body, or `status: null` when the daemon could not be reached. */
export interface ProbeResult {
  status: number | null;
  body: unknown;
}

const TOKEN_REFUSED =
  'the daemon refused typing with this token: input needs the daemon’s full token (cat ~/.flotilla/token), not a viewer link or the page’s cookie';

const STOP_CODES = new Set(['SESSION_NOT_RUNNING', 'SESSION_NOT_FOUND', 'CONFLICT', 'FORBIDDEN_HOST', 'FORBIDDEN_ORIGIN', 'NOT_FOUND']);

function envelopeOf(body: unknown): { code: string; message: string; fix?: string } | null {
  if (typeof body !== 'object' || body === null) return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return null;
  const { code, message, fix } = error as Record<string, unknown>;
  if (typeof code !== 'string' || typeof message !== 'string') return null;
  return typeof fix === 'string' ? { code, message, fix } : { code, message };
}

/** Decides from the probe of a refused stream (`wantedInput`: it was opened with `?input=1`). */
export function classifyRefusal(probe: ProbeResult, wantedInput: boolean): Refusal {
  if (probe.status === null) return { action: 'retry', message: 'the daemon cannot be reached' };
  const envelope = envelopeOf(probe.body);
  if (!envelope) return { action: 'retry', message: probe.status >= 500 ? `the daemon is not answering (HTTP ${probe.status})` : `the daemon answered HTTP ${probe.status}` };
  const words = envelope.fix ? `${envelope.message} — ${envelope.fix}` : envelope.message;
  if (envelope.code === 'UNAUTHORIZED') return wantedInput ? { action: 'read-only', message: words } : { action: 'retry', message: words };
  // The session can be streamed, so the upgrade itself was refused: with ?input=1 that is the token.
  if (envelope.code === 'BAD_REQUEST') return wantedInput ? { action: 'read-only', message: TOKEN_REFUSED } : { action: 'retry', message: 'the stream was refused' };
  if (STOP_CODES.has(envelope.code)) return { action: 'stop', message: words };
  return { action: 'retry', message: words };
}
