/** Errors of `mesh hosts bootstrap` and `packCbBundle`, in words: what failed, what the host said, what to do. */
export type BootstrapErrorCode =
  /** The hub's own `@flotilla/cb` was not found (not resolvable, no sibling checkout, no FLOTILLA_CB_DIR). */
  | 'CB_NOT_FOUND'
  /** A dependency of cb is not installed on the hub, two versions of one package are needed, or `npm pack` failed. */
  | 'PACK_FAILED'
  /** A bundle directory's manifest.json is missing, malformed, or a tarball does not match it. */
  | 'BUNDLE_INVALID'
  /** The host has no usable node (≥ 20) or npm. */
  | 'HOST_UNSUITABLE'
  /** The bundle's native builds were made for another platform, architecture or Node ABI than the host's. */
  | 'PLATFORM_MISMATCH'
  /** A command on the host failed (upload, npm install, linking, verification, the daemon's restart). */
  | 'REMOTE_FAILED'
  /** Another bootstrap of the host holds its lock (`~/.flotilla/bootstrap.lock`). */
  | 'BOOTSTRAP_RUNNING'
  /** The host's disk has too little room for the bundle and its install. */
  | 'NO_SPACE';

const BRAND = Symbol.for('flotilla.BootstrapError');

export class BootstrapError extends Error {
  readonly [BRAND] = true;
  readonly code: BootstrapErrorCode;
  constructor(code: BootstrapErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BootstrapError';
    this.code = code;
  }
}

export function isBootstrapError(value: unknown, code?: BootstrapErrorCode): value is BootstrapError {
  if (typeof value !== 'object' || value === null) return false;
  if ((value as Record<symbol, unknown>)[BRAND] !== true) return false;
  return code === undefined || (value as BootstrapError).code === code;
}

/** The last `count` non-empty lines of a command's output, for an error message. */
export function lastLines(text: string, count = 8): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line.length > 0)
    .slice(-count)
    .join('\n');
}
