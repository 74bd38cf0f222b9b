import { z } from 'zod';

export const ERROR_CODES = [
  'BAD_REQUEST',
  'VALIDATION_FAILED',
  'UNAUTHORIZED',
  'FORBIDDEN_HOST',
  'FORBIDDEN_ORIGIN',
  'FORBIDDEN',
  'NOT_FOUND',
  'JOB_NOT_FOUND',
  'INVALID_TRANSITION',
  'AGENT_UNKNOWN',
  'AGENT_UNAVAILABLE',
  'AGENT_CANNOT_AUTHENTICATE',
  'NOT_A_GIT_REPO',
  'WORKTREE_FAILED',
  'BYPASS_REQUIRES_WORKTREE',
  'CWD_NOT_FOUND',
  'NOT_RESUMABLE',
  'SESSION_NOT_FOUND',
  'SESSION_NAME_TAKEN',
  'SESSION_NOT_RUNNING',
  'DELIVERY_FAILED',
  'CONFLICT',
  'STALE_TOKEN',
  'DAEMON_UNAVAILABLE',
  'HUB_UNAVAILABLE',
  'VERSION_MISMATCH',
  'HOST_NOT_FOUND',
  'HOST_UNREACHABLE',
  'NO_HOST_AVAILABLE',
  'INTERNAL',
] as const;
export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

/** The one table mapping codes to HTTP statuses; the compiler checks it is complete. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  BAD_REQUEST: 400,
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN_HOST: 403,
  FORBIDDEN_ORIGIN: 403,
  /** The caller is known but its scope does not allow this (e.g. an agent's token approving a task). */
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  AGENT_UNKNOWN: 400,
  AGENT_UNAVAILABLE: 422,
  AGENT_CANNOT_AUTHENTICATE: 422,
  NOT_A_GIT_REPO: 422,
  WORKTREE_FAILED: 422,
  BYPASS_REQUIRES_WORKTREE: 400,
  CWD_NOT_FOUND: 422,
  NOT_RESUMABLE: 409,
  SESSION_NOT_FOUND: 404,
  SESSION_NAME_TAKEN: 409,
  /** The session has exited (or is not in the state the request needs, e.g. answer without a question). */
  SESSION_NOT_RUNNING: 409,
  /** Text went in but no source confirmed it became a turn; `details` holds the SendReceipt. */
  DELIVERY_FAILED: 502,
  CONFLICT: 409,
  /** A board write carrying a fencing token older than the task's: someone else holds it now. */
  STALE_TOKEN: 409,
  DAEMON_UNAVAILABLE: 503,
  /** The mesh hub is not connected to this host (board calls need it; messages are queued). */
  HUB_UNAVAILABLE: 503,
  VERSION_MISMATCH: 409,
  /** A hub was asked about a host it does not have (`mesh hosts ls` lists them). */
  HOST_NOT_FOUND: 404,
  /** The hub's link to that host is down (its jobs keep running there). */
  HOST_UNREACHABLE: 503,
  /** `--any` found no host with a free slot, no rate-limit pause and the repository. */
  NO_HOST_AVAILABLE: 503,
  INTERNAL: 500,
};

export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    /** Exactly what to do about it, when known. */
    fix: z.string().optional(),
    details: z.unknown().optional(),
  }),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;

const BRAND = Symbol.for('flotilla.ProtocolError');

/** An error that crosses the wire. Check with `isProtocolError`, never `instanceof`. */
export class ProtocolError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, options: { fix?: string; details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'ProtocolError';
    this.code = code;
    this.fix = options.fix;
    this.details = options.details;
  }
  get status(): number {
    return HTTP_STATUS[this.code];
  }
  toEnvelope(): ErrorEnvelope {
    const error: ErrorEnvelope['error'] = { code: this.code, message: this.message };
    if (this.fix !== undefined) error.fix = this.fix;
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

export function errorFromEnvelope(status: number, body: unknown): ProtocolError {
  const parsed = ErrorEnvelopeSchema.safeParse(body);
  if (!parsed.success) {
    const text = typeof body === 'string' ? body.slice(0, 500) : JSON.stringify(body)?.slice(0, 500);
    return new ProtocolError('INTERNAL', `unexpected response ${status}: ${text ?? ''}`);
  }
  const { code, message, fix, details } = parsed.data.error;
  const known = ErrorCodeSchema.safeParse(code);
  return new ProtocolError(known.success ? known.data : 'INTERNAL', message, { fix, details });
}
