import type { SqliteDatabase } from '@flotilla/kit/sqlite';
import { migrateComponent } from '../store/migrate.js';

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
  // Partial indexes: the claim's only on todo rows, the lease sweep's only on doing rows. A claim
  // then removes one claim-index entry and adds one lease entry, and a done removes that entry,
  // instead of moving both full indexes' entries from one status to the next: fewer pages written
  // to the WAL per commit.
  `drop index board_tasks_claim;
   drop index board_tasks_lease;
   create index board_tasks_todo on board_tasks (priority_rank, created_at, id) where status = 'todo';
   create index board_tasks_doing on board_tasks (lease_expires_at) where status = 'doing';`,
];

/** Creates or upgrades the board's tables (its version kept in `mesh_schema`, component `board`). */
export function migrateBoard(sqlite: SqliteDatabase): void {
  migrateComponent(sqlite, 'board', MIGRATIONS);
}
