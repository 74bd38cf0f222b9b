/**
 * What sessions declare they can do — roles (`reviewer`), skill tags (`backend`) and `auto` (claim
 * matching board tasks whenever idle) — in the hub's database, behind an async interface like the
 * board's.
 */
import { openDatabase } from '@flotilla/kit/sqlite';
import { AgentProfileSchema, type AgentProfile, type DeclareProfileRequest } from '@flotilla/protocol';
import { migrateComponent } from '../store/migrate.js';

export interface ProfileStore {
  /** Creates or updates a session's profile; fields the request leaves out keep their value. */
  declare(session: string, host: string | null, request: DeclareProfileRequest): Promise<AgentProfile>;
  get(session: string): Promise<AgentProfile | null>;
  /** Every profile, by session name. */
  list(): Promise<AgentProfile[]>;
  close(): Promise<void>;
}

export interface SqliteProfileStoreOptions {
  /** The hub's database file (`hub.db`), shared with the board and messages. */
  path: string;
  now?: () => Date;
}

const MIGRATIONS: readonly string[] = ['create table agent_profiles (session text primary key, doc text not null)'];

/**
 * @example
 * const profiles = createSqliteProfileStore({ path: join(home, 'hub.db') });
 * await profiles.declare('api-1', 'linux', { roles: ['reviewer'], tags: ['backend'], auto: true });
 */
export function createSqliteProfileStore(options: SqliteProfileStoreOptions): ProfileStore {
  const { sqlite, close } = openDatabase(options.path);
  migrateComponent(sqlite, 'profiles', MIGRATIONS);
  const now = options.now ?? (() => new Date());
  const byName = sqlite.prepare<[string], { doc: string }>('select doc from agent_profiles where session = ?');
  const all = sqlite.prepare<[], { doc: string }>('select doc from agent_profiles order by session');
  const upsert = sqlite.prepare<[string, string]>(
    'insert into agent_profiles (session, doc) values (?, ?) on conflict (session) do update set doc = excluded.doc',
  );
  const read = (row: { doc: string } | undefined) => (row === undefined ? null : AgentProfileSchema.parse(JSON.parse(row.doc)));

  return {
    declare: async (session, host, request) =>
      sqlite.transaction(() => {
        const previous = read(byName.get(session));
        const profile: AgentProfile = {
          session,
          host: host ?? previous?.host ?? null,
          roles: request.roles ? [...new Set(request.roles)] : (previous?.roles ?? []),
          tags: request.tags ? [...new Set(request.tags)] : (previous?.tags ?? []),
          auto: request.auto ?? previous?.auto ?? false,
          updatedAt: now().toISOString(),
        };
        upsert.run(session, JSON.stringify(profile));
        return profile;
      }).immediate(),
    get: async (session) => read(byName.get(session)),
    list: async () => all.all().map((row) => read(row)!),
    close: async () => close(),
  };
}
