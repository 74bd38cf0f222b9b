import { immediate, type SqliteDatabase } from '@flotilla/kit/sqlite';

/**
 * The board's tables, as plain SQL migrations keyed by `PRAGMA user_version` (drizzle would add a
 * migrations folder for two tables). A task is one JSON document plus the columns the claim filters
 * and orders on; the columns are rewritten from the document on every save.
 */
const MIGRATIONS: readonly string[] = [
  `create table board_tasks (
     id text primary key,
     key text not null unique,
     status text not null,
     priority_rank integer not null,
     for_target text,
     tags text not null,
     after text not null,
     holder_who text,
     holder_host text,
     lease_expires_at text,
     created_at text not null,
     doc text not null
   );
   create index board_tasks_claim on board_tasks (status, priority_rank, created_at, id);
   create index board_tasks_lease on board_tasks (status, lease_expires_at);
   create table board_key_counters (prefix text primary key, last integer not null);`,
];

/**
 * Applies the pending migrations under `BEGIN IMMEDIATE`, so that several processes opening the
 * same new file at once migrate it exactly once.
 */
export function migrateBoard(sqlite: SqliteDatabase): void {
  immediate(sqlite, () => {
    const current = sqlite.pragma('user_version', { simple: true }) as number;
    for (let version = current; version < MIGRATIONS.length; version += 1) {
      sqlite.exec(MIGRATIONS[version]!);
    }
    if (current < MIGRATIONS.length) sqlite.pragma(`user_version = ${MIGRATIONS.length}`);
  });
}
