import createDebug from 'debug';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { KitError } from '../internal/errors.js';
import { openConnection, type SqliteDatabase, type SqliteErrorCode } from './connection.js';

export { BUSY_TIMEOUT_MS } from './connection.js';
export type { SqliteDatabase, SqliteErrorCode } from './connection.js';

const debug = createDebug('kit:sqlite');

export interface OpenDatabaseOptions<TSchema extends Record<string, unknown>> {
  /** A drizzle-kit migrations folder (holding `meta/_journal.json`); applied in order on open. */
  migrationsFolder?: string;
  /** Open an existing file read-only; no pragmas that write, no migrations. */
  readonly?: boolean;
  /** The drizzle schema, for `db.query.*` relational queries. */
  schema?: TSchema;
}

export interface OpenedDatabase<TSchema extends Record<string, unknown> = Record<string, never>> extends Disposable {
  /** The better-sqlite3 connection (for `immediate`, `checkpoint`, `backup`, raw statements). */
  readonly sqlite: SqliteDatabase;
  /** The drizzle instance over the same connection. */
  readonly db: BetterSQLite3Database<TSchema>;
  /** Closes the connection; safe to call twice. */
  close(): void;
}

/**
 * Opens (creating when needed) a SQLite file with Flotilla's pragmas — WAL, synchronous=NORMAL,
 * foreign keys on, a 5 s busy timeout — and applies drizzle migrations when a folder is given.
 *
 * @example
 * using store = openDatabase('/home/me/.flotilla/flotilla.db', { migrationsFolder: './drizzle' });
 * store.db.select().from(jobs).all();
 */
export function openDatabase<TSchema extends Record<string, unknown> = Record<string, never>>(
  path: string,
  options: OpenDatabaseOptions<TSchema> = {},
): OpenedDatabase<TSchema> {
  const readonly = options.readonly === true;
  if (readonly && options.migrationsFolder !== undefined) {
    throw new KitError<SqliteErrorCode>('SQLITE_INVALID_OPTIONS', 'cannot apply migrations to a database opened read-only');
  }
  const sqlite = openConnection(path, { readonly });
  try {
    const db = options.schema === undefined ? drizzle<TSchema>({ client: sqlite }) : drizzle({ client: sqlite, schema: options.schema });
    if (options.migrationsFolder !== undefined) runMigrations(db, options.migrationsFolder, path);
    const close = (): void => {
      if (sqlite.open) sqlite.close();
    };
    debug('opened %s%s', path, readonly ? ' (read-only)' : '');
    return { sqlite, db, close, [Symbol.dispose]: close };
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

function runMigrations<TSchema extends Record<string, unknown>>(db: BetterSQLite3Database<TSchema> & { $client: SqliteDatabase }, folder: string, path: string): void {
  // drizzle runs every pending migration in one transaction, where `PRAGMA foreign_keys` is a
  // no-op; table rebuilds (SQLite's way to alter columns) must run with enforcement off.
  const sqlite = db.$client;
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db, { migrationsFolder: folder });
    const violations = sqlite.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) debug('foreign key violations after migrating %s: %o', path, violations.slice(0, 20));
  } catch (error) {
    throw new KitError<SqliteErrorCode>('SQLITE_MIGRATION_FAILED', `migrating ${path} from ${folder} failed: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}
