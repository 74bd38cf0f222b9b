import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { openRepoIndex } from '../query/repo-index.js';
import { search } from '../query/search.js';
import { definition, outline, references } from '../query/symbols.js';
import { tempFixtureRepo } from '../test-support/fixture.js';
import { openIndexDatabase, SCHEMA_VERSION } from './schema.js';
import { signatureText } from './signature.js';
import { textStorePath } from './text-store.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((clean) => clean()));

/** The tables of schema 1 that later migrations rewrite, as a shipped codekb 0.1 left them. */
function schemaOneIndex(): string {
  const dir = mkdtempSync(join(tmpdir(), 'codekb-schema-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'index.db');
  const db = new Database(path);
  db.exec(`CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, language TEXT, sha1 TEXT NOT NULL, size INTEGER NOT NULL, status TEXT NOT NULL, note TEXT);
    CREATE TABLE refs (file_id INTEGER NOT NULL, name TEXT NOT NULL, line INTEGER NOT NULL, symbol_id INTEGER);
    CREATE INDEX refs_name ON refs(name);
    CREATE TABLE symbols (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, parent_id INTEGER, kind TEXT NOT NULL, name TEXT NOT NULL, container TEXT, signature TEXT NOT NULL, doc TEXT, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL);
    CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
    CREATE INDEX symbols_file ON symbols(file_id);
    INSERT INTO symbols VALUES (1, 1, NULL, 'variable', 'x', NULL, 'const x = 1;', NULL, 1, 1);
    CREATE VIRTUAL TABLE content_fts USING fts5(body, content='', contentless_delete=1, detail='none', tokenize='trigram');
    INSERT INTO content_fts (rowid, body) VALUES (1, 'const x = 1;');
    CREATE VIRTUAL TABLE symbols_fts USING fts5(name, signature, doc, path, content='', contentless_delete=1, tokenize="unicode61 tokenchars '_'");
    INSERT INTO files VALUES (1, 'a.ts', 'typescript', 'abc123', 10, 'parsed', NULL);
    INSERT INTO refs VALUES (1, 'x', 3, NULL);
    PRAGMA user_version = 1;`);
  db.close();
  return path;
}

/**
 * Turns an index this build wrote back into schema 6's layout: signatures as text (read back from
 * the text store), references indexed by file, no count of a file's reference names.
 */
function downgradeToSchemaSix(path: string): void {
  const db = new Database(path);
  const generation = db.prepare('SELECT generation FROM text_store').pluck().get() as number;
  const store = readFileSync(textStorePath(path, generation));
  const rows = db
    .prepare('SELECT s.*, f.text_offset + s.signature_start AS at FROM symbols s JOIN files f ON f.id = s.file_id')
    .all() as { id: number; file_id: number; parent_id: number | null; kind: string; name: string; container: string | null; doc: string | null; start_line: number; end_line: number; at: number; signature_length: number }[];
  db.exec(`DROP TABLE symbols;
    CREATE TABLE symbols (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, parent_id INTEGER, kind TEXT NOT NULL, name TEXT NOT NULL, container TEXT, signature TEXT NOT NULL, doc TEXT, start_line INTEGER NOT NULL, end_line INTEGER NOT NULL);
    CREATE INDEX symbols_name ON symbols(name COLLATE NOCASE);
    CREATE INDEX refs_file ON refs(file_id);
    ALTER TABLE files DROP COLUMN ref_names;
    PRAGMA user_version = 6;`);
  const insert = db.prepare('INSERT INTO symbols VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  for (const r of rows) {
    const signature = signatureText(store.subarray(r.at, r.at + r.signature_length));
    insert.run(r.id, r.file_id, r.parent_id, r.kind, r.name, r.container, signature, r.doc, r.start_line, r.end_line);
  }
  db.close();
}

/**
 * Turns an index this build wrote back into schema 4's layout: file text as chunk blobs in SQLite
 * (read back from the text store), no text offsets, no text_store row.
 */
function downgradeToSchemaFour(path: string): void {
  downgradeToSchemaSix(path);
  const db = new Database(path);
  const generation = db.prepare('SELECT generation FROM text_store').pluck().get() as number;
  const store = readFileSync(textStorePath(path, generation));
  const chunks = db.prepare('SELECT id, file_id, first_line, pos, len FROM chunks').all() as { id: number; file_id: number; first_line: number; pos: number; len: number }[];
  db.exec(`DROP TABLE chunks;
    CREATE TABLE chunks (id INTEGER PRIMARY KEY, file_id INTEGER NOT NULL, first_line INTEGER NOT NULL, body BLOB NOT NULL);
    CREATE INDEX chunks_file ON chunks(file_id);
    DROP TABLE text_store;
    ALTER TABLE files DROP COLUMN text_offset;
    ALTER TABLE files DROP COLUMN text_length;
    PRAGMA user_version = 4;`);
  const insert = db.prepare('INSERT INTO chunks (id, file_id, first_line, body) VALUES (?, ?, ?, ?)');
  for (const c of chunks) insert.run(c.id, c.file_id, c.first_line, store.subarray(c.pos, c.pos + c.len));
  db.close();
  rmSync(textStorePath(path, generation));
}

/** Turns an index this build wrote back into schema 3's layout (signatures in symbols_fts, an index on symbols(file_id), no id ranges). */
function downgradeToSchemaThree(path: string): void {
  downgradeToSchemaFour(path);
  const db = new Database(path);
  db.exec(`DROP TABLE symbols_fts;
    CREATE VIRTUAL TABLE symbols_fts USING fts5(name, signature, doc, content='', contentless_delete=1, tokenize="unicode61 tokenchars '_'");
    INSERT INTO symbols_fts (rowid, name, signature, doc) SELECT id, name, signature, coalesce(doc, '') FROM symbols;
    CREATE INDEX symbols_file ON symbols(file_id);
    ALTER TABLE files DROP COLUMN first_symbol_id;
    ALTER TABLE files DROP COLUMN last_symbol_id;
    PRAGMA user_version = 3;`);
  db.close();
}

describe('index schema migrations', () => {
  it('should move a schema-1 index to packed references and clear hashes so the next index re-reads every file', () => {
    const path = schemaOneIndex();
    using index = openIndexDatabase(path);
    expect(index.sqlite.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const columns = (index.sqlite.prepare('PRAGMA table_info(refs)').all() as { name: string }[]).map((c) => c.name);
    expect(columns).toEqual(['name', 'file_id', 'count', 'lines']);
    const ftsColumns = (index.sqlite.prepare('PRAGMA table_info(symbols_fts)').all() as { name: string }[]).map((c) => c.name);
    expect(ftsColumns).toEqual(['name', 'doc']);
    expect(index.sqlite.prepare('SELECT sha1 FROM files').pluck().all()).toEqual(['']);
    expect(index.sqlite.prepare('SELECT count(*) FROM symbols').pluck().get()).toBe(0);
    expect(index.sqlite.prepare(`SELECT count(*) FROM content_fts WHERE content_fts MATCH '"x ="'`).pluck().get()).toBe(0);
  });

  it('should move a schema-3 index to symbol id ranges and name-and-doc symbol words, re-reading every file', async () => {
    const fixture = tempFixtureRepo();
    cleanups.push(() => fixture[Symbol.dispose]());
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    downgradeToSchemaThree(fixture.dbPath);
    {
      using index = openIndexDatabase(fixture.dbPath);
      const sqlite = index.sqlite;
      expect(sqlite.prepare('SELECT count(*) FROM symbols').pluck().get()).toBe(0);
      expect(sqlite.prepare("SELECT count(*) FROM files WHERE sha1 != ''").pluck().get()).toBe(0);
      expect(sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'symbols'").pluck().all()).toEqual(['symbols_name']);
      expect((sqlite.prepare('PRAGMA table_info(symbols_fts)').all() as { name: string }[]).map((c) => c.name)).toEqual(['name', 'doc']);
      expect(sqlite.prepare('PRAGMA foreign_key_list(symbols)').all()).toEqual([]);
    }
    const again = await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    expect(again.unchanged).toBe(0);
    using repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
    expect(definition(repo, 'Circle.area').map((hit) => `${hit.path}:${hit.line}`)).toEqual(['src/shapes.ts:20']);
    expect(outline(repo, 'src/shapes.ts')?.find((node) => node.name === 'Circle')?.children.map((node) => node.name)).toContain('area');
    expect(references(repo, 'totalArea').map((hit) => `${hit.path}:${hit.line}:${hit.enclosing}`)).toContain('src/widget.tsx:10:AreaWidget');
  });

  it('should move a schema-4 index to the text store, re-reading every file, with literal search answering as before', async () => {
    const fixture = tempFixtureRepo();
    cleanups.push(() => fixture[Symbol.dispose]());
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    const hitsOf = async (): Promise<string[]> => {
      using repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
      return (await search(repo, 'area', { literal: true, limit: 1e9 })).map((hit) => `${hit.path}:${hit.line}:${hit.text}`);
    };
    const before = await hitsOf();
    expect(before.length).toBeGreaterThan(3);
    downgradeToSchemaFour(fixture.dbPath);
    expect(() => openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath })).toThrow(/schema 4/);
    {
      using index = openIndexDatabase(fixture.dbPath);
      const sqlite = index.sqlite;
      expect((sqlite.prepare('PRAGMA table_info(chunks)').all() as { name: string }[]).map((c) => c.name)).toEqual(['id', 'file_id', 'first_line', 'pos', 'len']);
      expect(sqlite.prepare('SELECT count(*) FROM chunks').pluck().get()).toBe(0);
      expect(sqlite.prepare(`SELECT count(*) FROM content_fts WHERE content_fts MATCH '"are"'`).pluck().get()).toBe(0);
      expect(sqlite.prepare("SELECT count(*) FROM files WHERE sha1 != ''").pluck().get()).toBe(0);
      expect(sqlite.prepare('SELECT generation, end_offset, dead_bytes FROM text_store').raw().all()).toEqual([[0, 0, 0]]);
    }
    const again = await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    expect(again.unchanged).toBe(0);
    expect(await hitsOf()).toEqual(before);
  });

  it('should refuse to migrate a read-only open and say how to fix it', () => {
    const path = schemaOneIndex();
    expect(() => openIndexDatabase(path, { readonly: true })).toThrow(/run `codekb index` to migrate/);
  });

  it('should re-read every file whose hash was cleared, rebuilding its packed references', async () => {
    const fixture = tempFixtureRepo();
    cleanups.push(() => fixture[Symbol.dispose]());
    const first = await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    const db = new Database(fixture.dbPath);
    db.exec("UPDATE files SET sha1 = ''; DELETE FROM refs;");
    db.close();
    const again = await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    expect(again.updated).toBe(first.updated);
    using repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
    expect(references(repo, 'totalArea').map((hit) => `${hit.path}:${hit.line}:${hit.enclosing}`)).toContain('src/widget.tsx:10:AreaWidget');
  });

  it('should take generated files indexed by a schema-5 build out on the next index', async () => {
    const fixture = tempFixtureRepo();
    cleanups.push(() => fixture[Symbol.dispose]());
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    downgradeToSchemaSix(fixture.dbPath);
    {
      // What a schema-5 build left: the lock file indexed as text.
      const db = new Database(fixture.dbPath);
      db.prepare("UPDATE files SET status = 'text', note = NULL WHERE path = 'pnpm-lock.yaml'").run();
      db.pragma('user_version = 5');
      db.close();
    }
    {
      using index = openIndexDatabase(fixture.dbPath);
      expect(index.sqlite.prepare("SELECT count(*) FROM files WHERE sha1 != ''").pluck().get()).toBe(0);
    }
    const summary = await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    expect(summary.unchanged).toBe(0);
    using index = openIndexDatabase(fixture.dbPath, { readonly: true });
    expect(index.sqlite.prepare("SELECT status || ' ' || note FROM files WHERE path = 'pnpm-lock.yaml'").pluck().get()).toBe('skipped-generated generated: lock file');
  });

  it('should move a schema-6 index to signatures in the text store and references without an index by file, re-reading every file', async () => {
    const fixture = tempFixtureRepo();
    cleanups.push(() => fixture[Symbol.dispose]());
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    const answers = (): unknown => {
      using repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
      return { definitions: definition(repo, 'area'), outline: outline(repo, 'src/shapes.ts'), references: references(repo, 'totalArea') };
    };
    const before = answers();
    downgradeToSchemaSix(fixture.dbPath);
    {
      using index = openIndexDatabase(fixture.dbPath);
      const sqlite = index.sqlite;
      const columns = (sqlite.prepare('PRAGMA table_info(symbols)').all() as { name: string }[]).map((c) => c.name);
      expect(columns).toEqual(expect.arrayContaining(['signature_start', 'signature_length']));
      expect(columns).not.toContain('signature');
      expect(sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'refs'").pluck().all()).toEqual([]);
      expect(sqlite.prepare('SELECT count(*) FROM symbols').pluck().get()).toBe(0);
      expect(sqlite.prepare('SELECT count(*) FROM refs').pluck().get()).toBe(0);
      expect(sqlite.prepare("SELECT count(*) FROM files WHERE sha1 != '' OR first_symbol_id IS NOT NULL OR ref_names != 0").pluck().get()).toBe(0);
    }
    const again = await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    expect(again.unchanged).toBe(0);
    expect(answers()).toEqual(before);
  });
});
