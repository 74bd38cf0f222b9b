/**
 * `@flotilla/kit/sqlite/connection` — the part of `@flotilla/kit/sqlite` that does not load drizzle:
 * a connection with Flotilla's pragmas, `BEGIN IMMEDIATE` work, checkpoints and backups.
 */
export { BUSY_TIMEOUT_MS, openConnection } from './connection.js';
export type { SqliteDatabase, SqliteErrorCode } from './connection.js';
export { backup, checkpoint, immediate } from './maintenance.js';
export type { BackupResult, CheckpointResult, SqliteTransactionErrorCode } from './maintenance.js';
export { KitError, isKitError } from '../internal/errors.js';
