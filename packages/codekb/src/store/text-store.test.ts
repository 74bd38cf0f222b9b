import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { indexRepository, reindexFiles } from '../index/indexer.js';
import { openRepoIndex } from '../query/repo-index.js';
import { search } from '../query/search.js';
import { openIndexDatabase } from './schema.js';
import { openTextStoreWriter, TextStoreReader, textStorePath } from './text-store.js';
import { createIndexWriter, type FileRecord } from './writer.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((clean) => clean()));

/** `path:line` of every line `rg -F -n` finds under root. */
function rgLines(root: string, needle: string): string[] {
  const result = spawnSync('rg', ['-F', '-n', '--no-heading', '--with-filename', '--no-config', '-uu', '--', needle, '.'], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.status === 1) return [];
  if (result.status !== 0) throw new Error(`rg failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^\.\//, '').split(':').slice(0, 2).join(':'))
    .sort();
}

async function literal(root: string, dbPath: string, needle: string): Promise<string[]> {
  using repo = openRepoIndex({ root, dbPath });
  return (await search(repo, needle, { literal: true, limit: 1e9 })).map((hit) => `${hit.path}:${hit.line}`).sort();
}

function scratchRepo(files: Record<string, string>): { root: string; dbPath: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'codekb-text-store-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const root = join(dir, 'repo');
  mkdirSync(root);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(root, path), text);
  return { root, dbPath: join(dir, 'index.db'), dir };
}

function storeMeta(dbPath: string): { generation: number; end: number; dead: number; live: number } {
  using index = openIndexDatabase(dbPath);
  const meta = index.sqlite.prepare('SELECT generation, end_offset AS "end", dead_bytes AS dead FROM text_store').get() as { generation: number; end: number; dead: number };
  const live = index.sqlite.prepare('SELECT coalesce(sum(text_length), 0) FROM files').pluck().get() as number;
  return { ...meta, live };
}

const NEEDLES = ['alpha', 'beta gamma', 'NEEDLE', 'line 7', '}'];

async function expectRgEquality(root: string, dbPath: string, needles = NEEDLES): Promise<void> {
  for (const needle of needles) expect(await literal(root, dbPath, needle), needle).toEqual(rgLines(root, needle));
}

/** A file of `lines` lines, some holding `word`. */
function text(word: string, lines = 200): string {
  return `${Array.from({ length: lines }, (_, i) => (i % 37 === 6 ? `line ${i + 1} holds ${word} { x }` : `line ${i + 1} filler text beta gamma`)).join('\n')}\n`;
}

describe('the text store', () => {
  it('should answer edits from the newest version only, counting the old one as dead, as rg -F does', async () => {
    const repo = scratchRepo({ 'a.txt': text('alpha'), 'b.ts': text('NEEDLE'), 'c.md': text('alpha NEEDLE') });
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    await expectRgEquality(repo.root, repo.dbPath);
    const before = storeMeta(repo.dbPath);
    expect(before).toMatchObject({ generation: 0, dead: 0, end: before.live });
    for (let round = 0; round < 3; round++) {
      writeFileSync(join(repo.root, 'a.txt'), text(round % 2 === 0 ? 'NEEDLE' : 'alpha', 150 + round));
      rmSync(join(repo.root, 'c.md'), { force: true });
      if (round === 2) writeFileSync(join(repo.root, 'c.md'), 'back again with alpha\n');
      await reindexFiles({ root: repo.root, dbPath: repo.dbPath, paths: ['a.txt', 'c.md'] });
      await expectRgEquality(repo.root, repo.dbPath);
    }
    const after = storeMeta(repo.dbPath);
    // Nothing is overwritten: every version appended, every replaced or removed one counted dead.
    expect(after.end).toBe(after.live + after.dead);
    expect(after.dead).toBeGreaterThan(0);
  });

  it('should compact into a new generation, keep answering a reader opened before, and drop the old file', async () => {
    const repo = scratchRepo({ 'a.txt': text('alpha'), 'b.ts': text('NEEDLE'), 'c.txt': text('beta') });
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    writeFileSync(join(repo.root, 'a.txt'), text('NEEDLE', 300));
    await reindexFiles({ root: repo.root, dbPath: repo.dbPath, paths: ['a.txt'] });
    using reader = openRepoIndex({ root: repo.root, dbPath: repo.dbPath });
    expect((await search(reader, 'NEEDLE', { literal: true, limit: 1e9 })).length).toBeGreaterThan(0); // opens generation 0
    {
      using index = openIndexDatabase(repo.dbPath);
      using store = openTextStoreWriter(index.sqlite, repo.dbPath);
      expect(store.compactIfNeeded()).toBe(false); // under the threshold
      expect(store.compactIfNeeded(true)).toBe(true);
    }
    const meta = storeMeta(repo.dbPath);
    expect(meta).toMatchObject({ generation: 1, dead: 0, end: meta.live });
    expect(existsSync(textStorePath(repo.dbPath, 0))).toBe(false);
    expect(statSync(textStorePath(repo.dbPath, 1)).size).toBe(meta.live);
    await expectRgEquality(repo.root, repo.dbPath);
    // The reader that had generation 0 open moves to generation 1 on its next search.
    const hits = (await search(reader, 'beta gamma', { literal: true, limit: 1e9 })).map((hit) => `${hit.path}:${hit.line}`).sort();
    expect(hits).toEqual(rgLines(repo.root, 'beta gamma'));
    // Edits after a compaction append to the new generation.
    writeFileSync(join(repo.root, 'c.txt'), text('alpha', 20));
    await reindexFiles({ root: repo.root, dbPath: repo.dbPath, paths: ['c.txt'] });
    await expectRgEquality(repo.root, repo.dbPath);
  });

  it('should compact by itself once dead bytes pass half of the file', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `f${i}.txt`);
    const write = (word: string, only = names): void => only.forEach((name) => writeFileSync(join(repo.root, name), text(word, 23_000))); // ~0.77 MB each
    const repo = scratchRepo({ 'small.txt': text('NEEDLE') });
    write('alpha');
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    write('NEEDLE', names.slice(0, 5));
    await reindexFiles({ root: repo.root, dbPath: repo.dbPath, paths: names });
    expect(storeMeta(repo.dbPath).generation).toBe(0); // ~3.8 MB dead: under the 8 MB floor
    write('beta');
    await reindexFiles({ root: repo.root, dbPath: repo.dbPath, paths: names });
    const meta = storeMeta(repo.dbPath);
    expect(meta).toMatchObject({ generation: 1, dead: 0, end: meta.live });
    expect(readdirSync(repo.dir).filter((name) => name.includes('.text.'))).toEqual(['index.db.text.1']);
    await expectRgEquality(repo.root, repo.dbPath, ['NEEDLE', 'alpha', 'line 7 ', 'holds beta']);
  }, 120_000);

  it('should ignore a torn append and an append whose transaction never committed', async () => {
    const repo = scratchRepo({ 'a.txt': text('alpha'), 'b.ts': text('NEEDLE') });
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    const committed = storeMeta(repo.dbPath).end;
    {
      using index = openIndexDatabase(repo.dbPath);
      using store = openTextStoreWriter(index.sqlite, repo.dbPath);
      // A crash half-way through an append: bytes past the committed end, no row points at them.
      store.append(Buffer.from('torn NEEDLE alpha bytes without a row\n'.repeat(50)));
      // A transaction that wrote a file and rolled back.
      const writer = createIndexWriter(index.sqlite, store);
      const record: FileRecord = { path: 'ghost.txt', language: null, sha1: 'x', size: 6, status: 'text', note: null, text: 'alpha NEEDLE\n', words: '', extraction: null };
      index.sqlite.exec('BEGIN IMMEDIATE');
      writer.put(record, undefined);
      writer.flush();
      index.sqlite.exec('ROLLBACK');
    }
    expect(statSync(textStorePath(repo.dbPath, 0)).size).toBeGreaterThan(committed);
    // Readers never look past the committed end.
    await expectRgEquality(repo.root, repo.dbPath);
    // The next writer cuts the garbage off and appends where the committed text ends.
    writeFileSync(join(repo.root, 'a.txt'), text('NEEDLE', 90));
    await reindexFiles({ root: repo.root, dbPath: repo.dbPath, paths: ['a.txt'] });
    const meta = storeMeta(repo.dbPath);
    expect(meta.end).toBe(meta.live + meta.dead);
    expect(statSync(textStorePath(repo.dbPath, 0)).size).toBe(meta.end);
    await expectRgEquality(repo.root, repo.dbPath);
  });

  it('should re-read the files whose text was lost (a store shorter than the index says)', async () => {
    const repo = scratchRepo({ 'a.txt': text('alpha'), 'b.ts': text('NEEDLE'), 'c.txt': text('beta') });
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    const { end } = storeMeta(repo.dbPath);
    truncateSync(textStorePath(repo.dbPath, 0), Math.floor(end / 2));
    const again = await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    expect(again.updated).toBeGreaterThan(0);
    expect(again.updated).toBeLessThan(3);
    await expectRgEquality(repo.root, repo.dbPath);
  });

  it('should start empty when an index is made afresh beside an old text file', async () => {
    const repo = scratchRepo({ 'a.txt': text('alpha') });
    writeFileSync(textStorePath(repo.dbPath, 0), 'left over from an index that was deleted NEEDLE\n');
    writeFileSync(textStorePath(repo.dbPath, 3), 'an older generation NEEDLE\n');
    await indexRepository({ root: repo.root, dbPath: repo.dbPath });
    expect(existsSync(textStorePath(repo.dbPath, 3))).toBe(false);
    const meta = storeMeta(repo.dbPath);
    expect(statSync(textStorePath(repo.dbPath, 0)).size).toBe(meta.live);
    await expectRgEquality(repo.root, repo.dbPath);
  });

  it('should let a reader use a store with nothing committed before its file exists, and not one with text whose file is gone', () => {
    const repo = scratchRepo({});
    using reader = new TextStoreReader(repo.dbPath);
    expect(reader.use(0, 0)).toBe(true);
    expect(reader.use(0, 10)).toBe(false);
    writeFileSync(textStorePath(repo.dbPath, 0), 'written');
    expect(reader.use(0, 7)).toBe(true);
    expect(reader.read(0, 7).toString()).toBe('written');
  });
});
