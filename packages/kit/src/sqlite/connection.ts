import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { KitError } from '../internal/errors.js';

/**
 * How long a writer waits for another connection's lock before SQLITE_BUSY. Long enough to ride
 * out a checkpoint or a burst of writes from a second process; short enough to surface deadlocks.
 */
export const BUSY_TIMEOUT_MS = 5000;

export type SqliteErrorCode = 'SQLITE_OPEN_FAILED' | 'SQLITE_MIGRATION_FAILED' | 'SQLITE_INVALID_OPTIONS';

export type SqliteDatabase = Database.Database;

/**
 * Opens (creating when needed) a SQLite file with Flotilla's pragmas — WAL, synchronous=NORMAL,
 * foreign keys on, a 5 s busy timeout — as a plain better-sqlite3 connection: what `openDatabase`
 * does without drizzle, for stores that write their own SQL (drizzle takes ~80 ms to load, which a
 * short-lived command like `codekb search` pays on every run).
 *
 * @example
 * const sqlite = openConnection('/home/me/.flotilla/index.db');
 * sqlite.prepare('SELECT 1').get();
 */
export function openConnection(path: string, options: { readonly?: boolean } = {}): SqliteDatabase {
  const readonly = options.readonly === true;
  const sqlite = connect(path, readonly);
  try {
    applyPragmas(sqlite, readonly);
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

function connect(path: string, readonly: boolean): SqliteDatabase {
  const inMemory = path === ':memory:' || path === '';
  try {
    if (!inMemory && !readonly) mkdirSync(dirname(path), { recursive: true });
    return new Database(path, { readonly, fileMustExist: readonly, timeout: BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new KitError<SqliteErrorCode>('SQLITE_OPEN_FAILED', `cannot open SQLite database ${path}: ${(error as Error).message}`, { cause: error });
  }
}

function applyPragmas(sqlite: SqliteDatabase, readonly: boolean): void {
  if (!readonly) {
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
  }
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

