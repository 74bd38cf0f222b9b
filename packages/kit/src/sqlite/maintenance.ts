import { rename, rm, stat } from 'node:fs/promises';
import { KitError } from '../internal/errors.js';
import type { SqliteDatabase } from './connection.js';

export type SqliteTransactionErrorCode = 'SQLITE_ASYNC_TRANSACTION';

/**
 * Runs `fn` inside `BEGIN IMMEDIATE … COMMIT` (a savepoint when already inside a transaction),
 * rolling back when it throws, and returns its value. Use it for every read-then-write: the write
 * lock is taken up front, so two writers can never both read the same state and race.
 *
 * `fn` must be synchronous — better-sqlite3 is, and a transaction held across an `await` would
 * block every other writer. A function that returns a promise is rolled back and rejected.
 *
 * @example
 * const job = immediate(sqlite, () => {
 *   const row = sqlite.prepare('SELECT * FROM jobs WHERE id = ?').get(id);
 *   sqlite.prepare('UPDATE jobs SET status = ? WHERE id = ?').run('running', id);
 *   return row;
 * });
 */
export function immediate<TResult>(sqlite: SqliteDatabase, fn: () => TResult): TResult {
  const run = sqlite.transaction(() => {
    const result = fn();
    if (isThenable(result)) {
      // Swallow the orphaned promise's rejection; the caller gets the error below.
      (result as PromiseLike<unknown>).then(undefined, () => undefined);
      throw new KitError<SqliteTransactionErrorCode>(
        'SQLITE_ASYNC_TRANSACTION',
        'immediate() needs a synchronous function; do the async work before or after the transaction',
      );
    }
    return result;
  });
  return run.immediate();
}

export interface CheckpointResult {
  /** 1 when a reader or writer prevented a complete checkpoint. */
  busy: number;
  /** Frames in the WAL before the checkpoint (-1 when not in WAL mode). */
  log: number;
  /** Frames copied back into the database file. */
  checkpointed: number;
}

/**
 * Copies the WAL into the main database file and truncates it (`wal_checkpoint(TRUNCATE)`), so the
 * `.db` file alone is a complete database.
 */
export function checkpoint(sqlite: SqliteDatabase): CheckpointResult {
  const rows = sqlite.pragma('wal_checkpoint(TRUNCATE)') as CheckpointResult[];
  return rows[0] ?? { busy: 0, log: -1, checkpointed: -1 };
}

export interface BackupResult {
  path: string;
  bytes: number;
}

/**
 * Writes a consistent single-file copy of the live database to `destPath` with SQLite's online
 * backup API (other connections may keep writing). The copy is written beside `destPath` and
 * renamed into place, so `destPath` is never a half-written file.
 */
export async function backup(sqlite: SqliteDatabase, destPath: string): Promise<BackupResult> {
  const temp = `${destPath}.${process.pid}.${Date.now()}.partial`;
  try {
    await sqlite.backup(temp);
    await rename(temp, destPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  const { size } = await stat(destPath);
  return { path: destPath, bytes: size };
}

function isThenable(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
