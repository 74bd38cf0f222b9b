/**
 * What went wrong talking to GitHub or Linear, as a stable code. `AUTH_FAILED`, `RATE_LIMITED` and
 * `UNAVAILABLE` are infrastructure: the director pauses that source or retries later and never
 * charges them to a ticket.
 */
export type HttpApiErrorCode = 'AUTH_FAILED' | 'RATE_LIMITED' | 'NOT_FOUND' | 'PR_EXISTS' | 'VALIDATION_FAILED' | 'UNAVAILABLE' | 'HTTP_ERROR';

const BRAND = Symbol.for('flotilla.director.HttpApiError');

export class HttpApiError extends Error {
  readonly code: HttpApiErrorCode;
  readonly status: number;
  /** For `RATE_LIMITED`: when the limit resets (ISO), when the API said. */
  readonly resetsAt: string | null;
  readonly [BRAND] = true;

  constructor(code: HttpApiErrorCode, message: string, status: number, resetsAt: string | null = null) {
    super(message);
    this.name = 'HttpApiError';
    this.code = code;
    this.status = status;
    this.resetsAt = resetsAt;
  }
}

/** Checks by brand (not `instanceof`), optionally for one code. */
export function isHttpApiError(error: unknown, code?: HttpApiErrorCode): error is HttpApiError {
  if (typeof error !== 'object' || error === null || !(BRAND in error)) return false;
  return code === undefined || (error as HttpApiError).code === code;
}

/**
 * When a rate limit resets, from a reset header (epoch `seconds` on GitHub, epoch `ms` on Linear)
 * or else `retry-after` (seconds from now); null when neither is there.
 */
export function rateLimitReset(headers: Headers, resetHeader: string, unit: 'seconds' | 'ms', now = Date.now()): string | null {
  const reset = Number(headers.get(resetHeader) ?? Number.NaN);
  if (Number.isFinite(reset) && reset > 0) return new Date(unit === 'seconds' ? reset * 1000 : reset).toISOString();
  const retryAfter = Number(headers.get('retry-after') ?? Number.NaN);
  if (Number.isFinite(retryAfter) && retryAfter >= 0) return new Date(now + retryAfter * 1000).toISOString();
  return null;
}
