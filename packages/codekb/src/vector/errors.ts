/** Why the optional vector backend could not do its part. Local errors: never serialized as such. */
export type VectorErrorCode =
  /** The vector configuration (env vars or flags) does not validate. */
  | 'VECTOR_CONFIG_INVALID'
  /** The embeddings endpoint could not be reached or timed out. */
  | 'EMBEDDINGS_UNAVAILABLE'
  /** The embeddings endpoint answered with an error or a body that is not an embeddings list. */
  | 'EMBEDDINGS_FAILED'
  /** Qdrant could not be reached or timed out. */
  | 'VECTOR_STORE_UNAVAILABLE'
  /** Qdrant answered with an error. */
  | 'VECTOR_STORE_FAILED'
  /** Another process is embedding the same index and did not finish in time. */
  | 'VECTOR_SYNC_BUSY';

const BRAND = Symbol.for('@flotilla/codekb/VectorError');

/**
 * A failure of the vector backend, with a stable `code` and a message that never holds an API key.
 * It carries no `cause` on purpose: the underlying error (a request, its headers) could hold the key,
 * so its description is redacted into the message instead. Check it with `isVectorError`, not
 * `instanceof` (two installed copies break `instanceof`).
 */
export class VectorError extends Error {
  readonly [BRAND] = true;
  override readonly name = 'VectorError';

  constructor(
    readonly code: VectorErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** True for a `VectorError` from any copy of codekb. */
export function isVectorError(error: unknown): error is VectorError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * Replaces every secret (and any `user:password@` in URLs) in `text` with `***`.
 *
 * @example
 * redact('401 for key sk-123', ['sk-123']); // '401 for key ***'
 */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let clean = text.replace(/(\w+:\/\/)[^/\s:@]+:[^/\s@]+@/g, '$1***@');
  for (const secret of secrets) if (secret !== undefined && secret !== '') clean = clean.split(secret).join('***');
  return clean;
}

/** The message of an unknown throw, with its `cause` chain (fetch hides the reason there), redacted. */
export function describeFailure(error: unknown, secrets: readonly (string | undefined)[]): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message !== '' && !parts.includes(message)) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return redact(parts.join(': ') || 'unknown error', secrets);
}
