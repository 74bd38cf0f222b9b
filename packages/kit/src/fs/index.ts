/**
 * `@flotilla/kit/fs` — durable small files: atomic replace, inter-process locks, line appends and
 * a low-latency follower for append-only line files.
 */
export { syncDirectory, writeFileAtomic } from './write-file-atomic.js';
export type { WriteFileAtomicOptions } from './write-file-atomic.js';
export { acquireLock } from './lock.js';
export type { AcquireLockOptions, Lock, LockErrorCode, LockOwner } from './lock.js';
export { appendLine } from './append-line.js';
export type { AppendLineErrorCode, AppendLineOptions } from './append-line.js';
export { tailFile } from './tail-file.js';
export type { FileFollower, TailFileOptions } from './tail-file.js';
export { KitError, isKitError } from '../internal/errors.js';
