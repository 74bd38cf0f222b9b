import { join } from 'node:path';
import { openConnection, type SqliteDatabase } from '@flotilla/kit/sqlite/connection';
import { flotillaHome } from '../store/db-path.js';
import { MemoryError } from './errors.js';

/**
 * Plain SQL migrations for `memory.db`, applied in order; `PRAGMA user_version` records how many
 * ran. Append only. `seq` is the stable rowid the FTS table is keyed on; `id` is the public ULID.
 * Triggers keep `memories_fts` (text + space-joined tags, porter-stemmed) in step with the table.
 */
export const MEMORY_MIGRATIONS: readonly string[] = [
  `CREATE TABLE memories (
     seq INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     hash TEXT NOT NULL UNIQUE,
     text TEXT NOT NULL,
     tags TEXT NOT NULL DEFAULT '[]',
     repo TEXT,
     outcome TEXT CHECK (outcome IN ('success', 'failure', 'note')),
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX memories_updated ON memories(updated_at);
   CREATE VIRTUAL TABLE memories_fts USING fts5(text, tags, tokenize = 'porter unicode61');
   CREATE TRIGGER memories_ai AFTER INSERT ON memories BEGIN
     INSERT INTO memories_fts (rowid, text, tags)
       VALUES (new.seq, new.text, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags)));
   END;
   CREATE TRIGGER memories_ad AFTER DELETE ON memories BEGIN
     DELETE FROM memories_fts WHERE rowid = old.seq;
   END;
   CREATE TRIGGER memories_au AFTER UPDATE OF text, tags ON memories BEGIN
     DELETE FROM memories_fts WHERE rowid = old.seq;
     INSERT INTO memories_fts (rowid, text, tags)
       VALUES (new.seq, new.text, (SELECT coalesce(group_concat(value, ' '), '') FROM json_each(new.tags)));
   END;`,
  // 2: consolidation (src/memory/consolidate.ts). A merged or overruled learning is kept, pointing at
  // the one that replaced it (`superseded_by`, an id; `superseded_reason` says why); recall skips it.
  // `times_learned` counts how often a lesson was learned (remembered again, or merged in);
  // `contested` flags a learning contradicted by another when neither could be preferred.
  `ALTER TABLE memories ADD COLUMN times_learned INTEGER NOT NULL DEFAULT 1 CHECK (times_learned >= 1);
   ALTER TABLE memories ADD COLUMN superseded_by TEXT;
   ALTER TABLE memories ADD COLUMN superseded_reason TEXT CHECK (superseded_reason IN ('duplicate', 'contradicted'));
   ALTER TABLE memories ADD COLUMN contested INTEGER NOT NULL DEFAULT 0 CHECK (contested IN (0, 1));
   CREATE INDEX memories_superseded_by ON memories(superseded_by) WHERE superseded_by IS NOT NULL;`,
];

/** The `memory.db` schema version this build writes. */
export const MEMORY_SCHEMA_VERSION = MEMORY_MIGRATIONS.length;

/** `$FLOTILLA_HOME/codekb/memory.db`: beside the indexes, but never written by `codekb index`. */
export function defaultMemoryPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(flotillaHome(env), 'codekb', 'memory.db');
}

/** Opens (creating and migrating) a memory database. */
export function openMemoryDatabase(path: string): { sqlite: SqliteDatabase; close(): void } {
  const sqlite = openConnection(path);
  const close = (): void => {
    if (sqlite.open) sqlite.close();
  };
  try {
    const version = sqlite.pragma('user_version', { simple: true }) as number;
    if (version > MEMORY_SCHEMA_VERSION) {
      throw new MemoryError('MEMORY_SCHEMA_NEWER', `memory ${path} has schema ${version}, newer than this codekb (${MEMORY_SCHEMA_VERSION}); upgrade codekb`);
    }
    if (version < MEMORY_SCHEMA_VERSION) {
      sqlite.transaction(() => {
        for (let step = version; step < MEMORY_SCHEMA_VERSION; step++) sqlite.exec(MEMORY_MIGRATIONS[step] ?? '');
        sqlite.pragma(`user_version = ${MEMORY_SCHEMA_VERSION}`);
      }).immediate();
    }
  } catch (error) {
    close();
    throw error;
  }
  return { sqlite, close };
}
