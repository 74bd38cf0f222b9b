/** Stable codes of memory failures. */
export type MemoryErrorCode = 'MEMORY_SCHEMA_NEWER' | 'MEMORY_INVALID_INPUT' | 'MEMORY_DUPLICATE' | 'MEMORY_INVALID_IMPORT';

/** A local (never serialized) memory failure with a stable `code`. */
export class MemoryError extends Error {
  constructor(
    readonly code: MemoryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MemoryError';
  }
}

/** True when `error` is a MemoryError (optionally with `code`), checked by shape, not `instanceof`. */
export function isMemoryError(error: unknown, code?: MemoryErrorCode): error is MemoryError {
  if (typeof error !== 'object' || error === null || (error as Error).name !== 'MemoryError') return false;
  return code === undefined || (error as MemoryError).code === code;
}
