import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openConnection } from './connection-entry.js';
import { backup, checkpoint, immediate, isKitError, openDatabase } from './index.js';

const notes = sqliteTable('notes', {
  id: integer('id').primaryKey(),
  body: text('body').notNull(),
  parentId: integer('parent_id'),
});

function writeMigrations(folder: string, migrations: Array<{ tag: string; sql: string }>): void {
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const entries = migrations.map((m, idx) => ({ idx, version: '6', when: 1_700_000_000_000 + idx, tag: m.tag, breakpoints: true }));
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({ version: '7', dialect: 'sqlite', entries }));
  for (const m of migrations) writeFileSync(join(folder, `${m.tag}.sql`), m.sql);
}

const FIRST = {
  tag: '0000_init',
  sql: [
    'CREATE TABLE `notes` (`id` integer PRIMARY KEY NOT NULL, `body` text NOT NULL, `parent_id` integer REFERENCES notes(id));',
  ].join('\n--> statement-breakpoint\n'),
};
const SECOND = { tag: '0001_tags', sql: 'CREATE TABLE `tags` (`name` text PRIMARY KEY NOT NULL);' };

describe('sqlite', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kit-sqlite-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should open a file with WAL, NORMAL sync, foreign keys and a busy timeout', () => {
    using store = openDatabase(join(dir, 'nested', 'a.db'));
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('should open a plain connection with the same pragmas, and read-only without creating the file', () => {
    const file = join(dir, 'nested', 'plain.db');
    const sqlite = openConnection(file);
    try {
      expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(sqlite.pragma('synchronous', { simple: true })).toBe(1);
      expect(sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(sqlite.pragma('busy_timeout', { simple: true })).toBe(5000);
      sqlite.exec('CREATE TABLE t (x)');
    } finally {
      sqlite.close();
    }
    const reader = openConnection(file, { readonly: true });
    try {
      expect(() => reader.exec('INSERT INTO t VALUES (1)')).toThrow(/readonly/);
    } finally {
      reader.close();
    }
    expect(() => openConnection(join(dir, 'missing.db'), { readonly: true })).toThrow(/cannot open SQLite database/);
  });

  it('should apply migrations once and upgrade an old database in place', () => {
    const folder = join(dir, 'drizzle');
    writeMigrations(folder, [FIRST]);
    const file = join(dir, 'store.db');
    {
      using store = openDatabase(file, { migrationsFolder: folder, schema: { notes } });
      store.db.insert(notes).values({ id: 1, body: 'hello' }).run();
    }
    writeMigrations(folder, [FIRST, SECOND]);
    using store = openDatabase(file, { migrationsFolder: folder, schema: { notes } });
    expect(store.db.select().from(notes).all()).toEqual([{ id: 1, body: 'hello', parentId: null }]);
    const tables = store.sqlite.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='tags'").all();
    expect(tables).toHaveLength(1);
    expect(store.db.get<{ n: number }>(sql`SELECT count(*) AS n FROM __drizzle_migrations`).n).toBe(2);
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('should enforce foreign keys', () => {
    const folder = join(dir, 'drizzle');
    writeMigrations(folder, [FIRST]);
    using store = openDatabase(join(dir, 'fk.db'), { migrationsFolder: folder });
    expect(() => store.db.insert(notes).values({ id: 2, body: 'orphan', parentId: 99 }).run()).toThrow(/FOREIGN KEY/);
  });

  it('should report a broken migration with a stable code', () => {
    const folder = join(dir, 'bad');
    writeMigrations(folder, [{ tag: '0000_bad', sql: 'CREATE TABLE oops (' }]);
    let caught: unknown;
    try {
      openDatabase(join(dir, 'bad.db'), { migrationsFolder: folder });
    } catch (error) {
      caught = error;
    }
    expect(isKitError(caught, 'SQLITE_MIGRATION_FAILED')).toBe(true);
  });

  it('should open read-only without creating the file', () => {
    let caught: unknown;
    try {
      openDatabase(join(dir, 'missing.db'), { readonly: true });
    } catch (error) {
      caught = error;
    }
    expect(isKitError(caught, 'SQLITE_OPEN_FAILED')).toBe(true);
    const file = join(dir, 'ro.db');
    openDatabase(file).close();
    using ro = openDatabase(file, { readonly: true });
    expect(() => ro.sqlite.exec('CREATE TABLE t (x)')).toThrow(/readonly/);
  });

  describe('immediate', () => {
    it('should commit and return the value of a synchronous function', () => {
      using store = openDatabase(join(dir, 'tx.db'));
      store.sqlite.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
      const result = immediate(store.sqlite, () => {
        store.sqlite.prepare('INSERT INTO kv VALUES (?, ?)').run('a', 1);
        return 'done';
      });
      expect(result).toBe('done');
      expect(store.sqlite.prepare('SELECT v FROM kv').pluck().get()).toBe(1);
    });

    it('should roll back when the function throws', () => {
      using store = openDatabase(join(dir, 'tx.db'));
      store.sqlite.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
      expect(() =>
        immediate(store.sqlite, () => {
          store.sqlite.prepare('INSERT INTO kv VALUES (?, ?)').run('a', 1);
          throw new Error('boom');
        }),
      ).toThrow('boom');
      expect(store.sqlite.prepare('SELECT count(*) FROM kv').pluck().get()).toBe(0);
      expect(store.sqlite.inTransaction).toBe(false);
    });

    it('should refuse (and roll back) an async function', () => {
      using store = openDatabase(join(dir, 'tx.db'));
      store.sqlite.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
      let caught: unknown;
      try {
        immediate(store.sqlite, async () => {
          store.sqlite.prepare('INSERT INTO kv VALUES (?, ?)').run('a', 1);
        });
      } catch (error) {
        caught = error;
      }
      expect(isKitError(caught, 'SQLITE_ASYNC_TRANSACTION')).toBe(true);
      expect(store.sqlite.prepare('SELECT count(*) FROM kv').pluck().get()).toBe(0);
    });

    it('should take the write lock up front so a second connection waits, then sees SQLITE_BUSY', () => {
      const file = join(dir, 'lock.db');
      using a = openDatabase(file);
      using b = openDatabase(file);
      a.sqlite.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
      b.sqlite.pragma('busy_timeout = 50');
      immediate(a.sqlite, () => {
        expect(() => immediate(b.sqlite, () => 1)).toThrow(/locked|busy/i);
      });
      expect(immediate(b.sqlite, () => 2)).toBe(2);
    });

    it('should nest as a savepoint', () => {
      using store = openDatabase(join(dir, 'tx.db'));
      store.sqlite.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
      immediate(store.sqlite, () => {
        store.sqlite.prepare('INSERT INTO kv VALUES (?, ?)').run('outer', 1);
        expect(() =>
          immediate(store.sqlite, () => {
            store.sqlite.prepare('INSERT INTO kv VALUES (?, ?)').run('inner', 2);
            throw new Error('inner fails');
          }),
        ).toThrow('inner fails');
      });
      expect(store.sqlite.prepare('SELECT k FROM kv').pluck().all()).toEqual(['outer']);
    });
  });

  it('should checkpoint the WAL and back up to one self-contained file', async () => {
    const file = join(dir, 'live.db');
    using store = openDatabase(file);
    store.sqlite.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
    const insert = store.sqlite.prepare('INSERT INTO kv VALUES (?, ?)');
    for (let i = 0; i < 100; i++) insert.run(`k${i}`, i);
    const result = checkpoint(store.sqlite);
    expect(result.busy).toBe(0);
    expect(result.log).toBe(0);

    const copy = join(dir, 'backup.db');
    const info = await backup(store.sqlite, copy);
    expect(info.path).toBe(copy);
    expect(info.bytes).toBeGreaterThan(0);
    using restored = openDatabase(copy, { readonly: true });
    expect(restored.sqlite.prepare('SELECT count(*) FROM kv').pluck().get()).toBe(100);
  });
});
