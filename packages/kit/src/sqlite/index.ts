/**
 * `@flotilla/kit/sqlite` — open a SQLite file with Flotilla's pragmas and drizzle migrations, run
 * read-then-write work under `BEGIN IMMEDIATE`, checkpoint and back up. Generic: no tables here.
 */
export { BUSY_TIMEOUT_MS, openDatabase } from './open-database.js';
export { openConnection } from './connection.js';
export type { OpenDatabaseOptions, OpenedDatabase, SqliteDatabase, SqliteErrorCode } from './open-database.js';
export { backup, checkpoint, immediate } from './maintenance.js';
export type { BackupResult, CheckpointResult, SqliteTransactionErrorCode } from './maintenance.js';
export { KitError, isKitError } from '../internal/errors.js';
