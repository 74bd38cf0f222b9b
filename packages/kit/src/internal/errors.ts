/**
 * Local (never serialized) errors thrown by kit. Check them with `isKitError(err, code)`, never
 * `instanceof`: two installed copies of kit would break `instanceof`.
 */
const BRAND = Symbol.for('flotilla.KitError');

export class KitError<TCode extends string = string> extends Error {
  readonly [BRAND] = true;
  readonly code: TCode;
  constructor(code: TCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KitError';
    this.code = code;
  }
}

/**
 * True when `value` is a kit error, optionally with the given code.
 * @example if (isKitError(err, 'LOCK_TIMEOUT')) retryLater();
 */
export function isKitError<TCode extends string = string>(value: unknown, code?: TCode): value is KitError<TCode> {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as KitError).code === code;
}

/** The errno-style `code` of a Node system error, if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
