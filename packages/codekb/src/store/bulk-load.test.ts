import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository, reindexFiles } from '../index/indexer.js';
import { openRepoIndex } from '../query/repo-index.js';
import { search } from '../query/search.js';
import { definition } from '../query/symbols.js';
import { openIndexDatabase } from './schema.js';
import { openTextStoreWriter } from './text-store.js';
import { createIndexWriter, dropDeferrableIndexes, setBulkLoad, type FileRecord } from './writer.js';

const TABLES = ['content_fts', 'symbols_fts', 'files_fts'];

/** Each FTS5 table's stored merge settings. */
function mergeSettings(dbPath: string): Record<string, unknown> {
  using index = openIndexDatabase(dbPath);
  return Object.fromEntries(TABLES.map((table) => [table, Object.fromEntries(index.sqlite.prepare(`SELECT k, v FROM ${table}_config WHERE k != 'version'`).raw().all() as [string, number][])]));
}

/** The names of the index's own indexes (not FTS5's). */
function indexNames(dbPath: string): string[] {
  using index = openIndexDatabase(dbPath);
  return index.sqlite.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('symbols', 'refs', 'chunks') ORDER BY name").pluck().all() as string[];
}

const DEFAULTS = Object.fromEntries(TABLES.map((table) => [table, { automerge: 4, crisismerge: 16 }]));

describe('bulk loading the FTS5 indexes', () => {
  let dir: string;
  let root: string;
  const paths: string[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'codekb-bulk-'));
    root = join(dir, 'repo');
    // Enough files for a bulk load (OPTIMIZE_MIN_FILES), each with its own symbol and marker.
    for (let i = 0; i < 130; i++) {
      const path = `src/m${i % 7}/file${i}.ts`;
      mkdirSync(join(root, `src/m${i % 7}`), { recursive: true });
      writeFileSync(join(root, path), `/** Doc of handler ${i}. */\nexport function handler${i}(input: string) {\n  return input + 'marker-${i}-end';\n}\n`);
      paths.push(path);
    }
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should answer as an index written file by file, and leave the merge defaults behind', async () => {
    const bulkDb = join(dir, 'bulk.db');
    await indexRepository({ root, dbPath: bulkDb });
    expect(mergeSettings(bulkDb)).toEqual(DEFAULTS);
    const stepDb = join(dir, 'step.db');
    // In the listing's order, so both give the files and symbols the same ids (BM25 ties rank by id).
    const listed = [...paths].sort();
    for (let i = 0; i < listed.length; i += 10) await reindexFiles({ root, dbPath: stepDb, paths: listed.slice(i, i + 10) });
    using bulk = openRepoIndex({ root, dbPath: bulkDb });
    using step = openRepoIndex({ root, dbPath: stepDb });
    for (const query of ['marker-1', 'marker-12-end', "+ 'marker", 'Doc of handler 9']) {
      expect(await search(bulk, query, { literal: true, limit: 1000 }), query).toEqual(await search(step, query, { literal: true, limit: 1000 }));
    }
    expect(await search(bulk, 'handler input', { limit: 50 })).toEqual(await search(step, 'handler input', { limit: 50 }));
    expect(definition(bulk, 'handler42')).toEqual(definition(step, 'handler42'));
    using writable = openIndexDatabase(bulkDb);
    for (const table of TABLES) writable.sqlite.exec(`INSERT INTO ${table}(${table}, rank) VALUES('integrity-check', 0)`);
  });

  it('should build the indexes a first load defers, and rebuild them on the next run after one that died', async () => {
    const dbPath = join(dir, 'deferred.db');
    await indexRepository({ root, dbPath });
    const all = ['chunks_file', 'symbols_name'];
    expect(indexNames(dbPath)).toEqual(all);
    const dropped = (): void => {
      using index = openIndexDatabase(dbPath);
      dropDeferrableIndexes(index.sqlite);
    };
    dropped();
    expect(indexNames(dbPath)).toEqual(['chunks_file']);
    writeFileSync(join(root, paths[1]!), 'export function rewrittenHandler() {}\n');
    expect((await indexRepository({ root, dbPath })).updated).toBe(1);
    expect(indexNames(dbPath)).toEqual(all);
    dropped();
    writeFileSync(join(root, paths[2]!), 'export function otherHandler() {}\n');
    expect((await reindexFiles({ root, dbPath, paths: [paths[2]!] })).updated).toEqual([paths[2]]);
    expect(indexNames(dbPath)).toEqual(all);
    using repo = openRepoIndex({ root, dbPath });
    expect(definition(repo, 'otherHandler').map((hit) => hit.path)).toEqual([paths[2]]);
    expect(definition(repo, 'handler2')).toEqual([]);
  });

  it('should restore the merge defaults after a bulk run that died, on the next run', async () => {
    const dbPath = join(dir, 'died.db');
    await indexRepository({ root, dbPath });
    {
      using index = openIndexDatabase(dbPath);
      setBulkLoad(index.sqlite, true);
    }
    expect(mergeSettings(dbPath).content_fts).toEqual({ automerge: 0, crisismerge: 64 });
    writeFileSync(join(root, paths[0]!), 'export function renamedHandler() {}\n');
    const summary = await indexRepository({ root, dbPath });
    expect(summary.updated).toBe(1);
    expect(mergeSettings(dbPath)).toEqual(DEFAULTS);
    using repo = openRepoIndex({ root, dbPath });
    expect(definition(repo, 'renamedHandler').map((hit) => hit.path)).toEqual([paths[0]]);
  });
});

describe('the index writer holding trigram rows back', () => {
  it('should index a file replaced in the same transaction once, with its new text only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codekb-writer-'));
    try {
      const root = join(dir, 'repo');
      mkdirSync(root);
      writeFileSync(join(root, 'a.txt'), 'second version\n');
      const dbPath = join(dir, 'index.db');
      {
        using index = openIndexDatabase(dbPath);
        using text = openTextStoreWriter(index.sqlite, dbPath);
        const writer = createIndexWriter(index.sqlite, text);
        const record = (text: string): FileRecord => ({ path: 'a.txt', language: null, sha1: 'x', size: text.length, status: 'text', note: null, text, words: text, extraction: null });
        index.sqlite.transaction(() => {
          writer.put(record('first version\n'), undefined);
          const id = index.sqlite.prepare("SELECT id FROM files WHERE path = 'a.txt'").pluck().get() as number;
          writer.put(record('second version\n'), id);
          writer.flush();
        })();
        index.sqlite.exec("INSERT INTO content_fts(content_fts, rank) VALUES('integrity-check', 0)");
        const rowsWith = (trigram: string): unknown => index.sqlite.prepare('SELECT count(*) FROM content_fts WHERE content_fts MATCH ?').pluck().get(`"${trigram}"`);
        expect([rowsWith('ver'), rowsWith('sec'), rowsWith('fir')]).toEqual([1, 1, 0]);
      }
      using repo = openRepoIndex({ root, dbPath });
      expect((await search(repo, 'version', { literal: true })).map((hit) => hit.text)).toEqual(['second version']);
      expect(await search(repo, 'first', { literal: true })).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
