/**
 * Local (never serialized) errors raised while resolving an SSH target. Check them with
 * `isSshConfigError(err, code)`, never `instanceof`: two installed copies of mesh would break it.
 */
const BRAND = Symbol.for('flotilla.SshConfigError');

export type SshConfigErrorCode =
  | 'SSH_OPTIONS_INVALID'
  | 'SSH_TARGET_INVALID'
  | 'SSH_CONFIG_UNREADABLE'
  | 'SSH_CONFIG_INVALID'
  | 'SSH_INCLUDE_TOO_DEEP'
  | 'SSH_TOKEN_INVALID';

export class SshConfigError extends Error {
  readonly [BRAND] = true;
  readonly code: SshConfigErrorCode;
  constructor(code: SshConfigErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SshConfigError';
    this.code = code;
  }
}

/**
 * True when `value` is an SSH config error, optionally with the given code.
 * @example if (isSshConfigError(err, 'SSH_TARGET_INVALID')) printUsage();
 */
export function isSshConfigError(value: unknown, code?: SshConfigErrorCode): value is SshConfigError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as SshConfigError).code === code;
}
