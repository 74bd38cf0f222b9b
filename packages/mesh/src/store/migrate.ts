import { immediate, type SqliteDatabase } from '@flotilla/kit/sqlite';

/**
 * Plain-SQL migrations for one component of the hub's database. Several components (board,
 * hub outbox, messages…) share `hub.db`, so each keeps its own version in `mesh_schema` rather
 * than in `PRAGMA user_version`. Applied under `BEGIN IMMEDIATE`, so that several processes opening
 * the same new file at once migrate it exactly once.
 *
 * @example
 * migrateComponent(sqlite, 'messages', [`create table messages (…)`]);
 */
export function migrateComponent(sqlite: SqliteDatabase, component: string, migrations: readonly string[]): void {
  immediate(sqlite, () => {
    sqlite.exec('create table if not exists mesh_schema (component text primary key, version integer not null)');
    const row = sqlite.prepare<[string], { version: number }>('select version from mesh_schema where component = ?').get(component);
    const current = row?.version ?? legacyVersion(sqlite, component);
    for (let version = current; version < migrations.length; version += 1) sqlite.exec(migrations[version]!);
    if (current < migrations.length || row === undefined) {
      sqlite
        .prepare('insert into mesh_schema (component, version) values (?, ?) on conflict (component) do update set version = excluded.version')
        .run(component, migrations.length);
    }
  });
}

/** The board kept its version in `user_version` before `mesh_schema` existed. */
function legacyVersion(sqlite: SqliteDatabase, component: string): number {
  return component === 'board' ? (sqlite.pragma('user_version', { simple: true }) as number) : 0;
}
