import { isVectorError, type VectorError } from '../errors.js';

/** The VectorError `promise` rejects with; throws if it resolves or rejects with anything else. */
export async function vectorFailureOf(promise: Promise<unknown>): Promise<VectorError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!isVectorError(error)) throw new Error(`expected a VectorError, got ${String(error)}`);
  return error;
}
