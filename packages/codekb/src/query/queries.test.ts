import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';
import { read } from './read.js';
import { openRepoIndex, type RepoIndex } from './repo-index.js';
import { search } from './search.js';
import { definition, noSymbolsReason, outline, references } from './symbols.js';

/**
 * The files `rg -F` finds, the reference literal search must equal (hidden files in, no parent
 * ignores), over the same files: those the index skipped as generated are left out.
 */
function rgFiles(root: string, needle: string, generated: readonly string[] = []): string[] {
  const args = ['-F', '-l', '--hidden', '--no-require-git', '--no-ignore-parent', '--max-filesize', '1M', '-g', '!.git', ...generated.flatMap((path) => ['-g', `!/${path}`]), '--', needle, '.'];
  try {
    return execFileSync('rg', args, { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean).map((p) => p.replace(/^\.\//, '')).sort();
  } catch (error) {
    if ((error as { status?: number }).status === 1) return [];
    throw error;
  }
}

async function literalFiles(repo: RepoIndex, needle: string): Promise<string[]> {
  const hits = await search(repo, needle, { literal: true, limit: 1_000_000 });
  return [...new Set(hits.map((hit) => hit.path))].sort();
}

describe('queries on the fixture repository', () => {
  let fixture: TempRepo;
  let repo: RepoIndex;
  let generated: string[];
  beforeAll(async () => {
    fixture = tempFixtureRepo();
    symlinkSync('/etc/hostname', join(fixture.root, 'escape-link'));
    symlinkSync('src/shapes.ts', join(fixture.root, 'inside-link.ts'));
    const summary = await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    generated = summary.skipped.filter((skip) => skip.reason === 'generated').map((skip) => skip.path);
    repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
  });
  afterAll(() => {
    repo?.close();
    fixture?.[Symbol.dispose]();
  });

  it('should find definitions best first, also as Container.member', () => {
    expect(definition(repo, 'Circle')[0]).toMatchObject({ path: 'src/shapes.ts', line: 15, kind: 'class' });
    expect(definition(repo, 'Circle.area').map((h) => `${h.path}:${h.line}`)).toEqual(['src/shapes.ts:20']);
    expect(definition(repo, 'Server.Start')[0]).toMatchObject({ path: 'go/server.go', line: 25 });
    expect(definition(repo, 'Point.new')[0]).toMatchObject({ path: 'rust/lib.rs', line: 20 });
    expect(definition(repo, 'nothingLikeThis')).toEqual([]);
  });

  it('should find references with their enclosing symbol', () => {
    const refs = references(repo, 'totalArea').map((h) => `${h.path}:${h.line}:${h.enclosing}`);
    expect(refs).toEqual(['src/widget.tsx:1:null', 'src/widget.tsx:10:AreaWidget']);
    expect(references(repo, 'DEFAULT_PORT').map((h) => `${h.path}:${h.line}`)).toEqual(['py/app.py:22']);
  });

  it('should outline a file as a tree with line ranges', () => {
    const tree = outline(repo, 'py/app.py') ?? [];
    const app = tree.find((node) => node.name === 'Application');
    expect(app).toMatchObject({ line: 17, endLine: 33 });
    expect(app?.children.map((child) => child.name)).toEqual(['name', '__init__', 'health', 'version']);
    expect(outline(repo, 'missing.py')).toBeUndefined();
  });

  it('should say why a file in the index has no symbols when it was not parsed for them', () => {
    expect(outline(repo, 'web/app.js.map')).toEqual([]);
    expect(noSymbolsReason(repo, 'web/app.js.map')).toBe('skipped: generated: source map');
    expect(noSymbolsReason(repo, 'docs/huge.txt')).toBe('skipped: larger than 1 MB');
    expect(noSymbolsReason(repo, 'docs/notes.txt')).toBe('indexed as text only (no parser for its language); search finds its lines');
    expect(noSymbolsReason(repo, 'src/shapes.ts')).toBeNull();
    expect(noSymbolsReason(repo, 'missing.py')).toBeNull();
  });

  it('should rank symbol hits by name words, signature and doc', async () => {
    const hits = await search(repo, 'total area');
    expect(hits[0]).toMatchObject({ path: 'src/shapes.ts', line: 31, source: 'symbol', name: 'totalArea' });
    const python = await search(repo, 'health', { language: 'python' });
    expect(python.every((hit) => hit.path === 'py/app.py')).toBe(true);
    const globbed = await search(repo, 'area', { path: 'src/**/*.tsx' });
    expect(globbed.length).toBeGreaterThan(0);
    expect(globbed.every((hit) => hit.path === 'src/widget.tsx')).toBe(true);
  });

  it('should find a member by Container.member or its words, before other symbols of that name', async () => {
    for (const query of ['Circle.area', 'circle area', 'Server.Start', 'start server']) {
      const [first] = await search(repo, query);
      expect(first, query).toMatchObject(query.toLowerCase().includes('circle') ? { path: 'src/shapes.ts', line: 20, name: 'area' } : { path: 'go/server.go', line: 25, name: 'Start' });
    }
  });

  it('should rank files by the words of their text and cite the line holding the most of them', async () => {
    // Only the Go file's comments hold "listens" and "default port"; no symbol is named so.
    const hits = await search(repo, 'where does it listen on the default port');
    expect(hits[0]).toMatchObject({ path: 'go/server.go' });
    const notes = await search(repo, 'which class computes an area', { path: 'docs/**' });
    expect(notes[0]).toMatchObject({ path: 'docs/notes.txt', line: 2, source: 'text', text: 'The Circle class computes an area; see src/shapes.ts.' });
  });

  it('should answer a smaller limit with the head of a bigger one', async () => {
    for (const query of ['area', 'circle area', 'server port handler', 'the application routes']) {
      const all = await search(repo, query, { limit: 50 });
      for (const limit of [1, 3, 5]) expect(await search(repo, query, { limit }), `${query} ${limit}`).toEqual(all.slice(0, limit));
    }
  });

  it('should equal rg -F file for file in literal mode', async () => {
    expect(generated).toHaveLength(5);
    for (const needle of ['needle in a haystack', 'area', 'Circle(', 'Circle', 'ne', '"', 'Point { x', 'no such text anywhere']) {
      expect(await literalFiles(repo, needle), needle).toEqual(rgFiles(fixture.root, needle, generated));
    }
    // rg over every file does find the needles in the generated ones.
    expect(rgFiles(fixture.root, 'Circle')).toEqual(expect.arrayContaining(generated));
    const lines = await search(repo, 'new Circle(', { literal: true });
    expect(lines.map((h) => `${h.path}:${h.line}`)).toEqual(['src/shapes.ts:25', 'src/shapes.ts:38', 'src/widget.tsx:9']);
  });

  it('should read numbered lines and refuse paths outside the root', async () => {
    const ok = await read(repo, 'src/shapes.ts', 15, 16);
    expect(ok).toMatchObject({ ok: true, start: 15, end: 16, lines: [{ line: 15, text: 'export class Circle implements Shape {' }, { line: 16 }] });
    expect(await read(repo, 'inside-link.ts', 1, 1)).toMatchObject({ ok: true });
    expect(await read(repo, '../repo/src/shapes.ts')).toMatchObject({ ok: false, code: 'PATH_OUTSIDE_REPO' });
    expect(await read(repo, join(fixture.root, 'src/shapes.ts'))).toMatchObject({ ok: false, code: 'PATH_OUTSIDE_REPO' });
    expect(await read(repo, '/etc/hostname')).toMatchObject({ ok: false, code: 'PATH_OUTSIDE_REPO' });
    expect(await read(repo, 'escape-link')).toMatchObject({ ok: false, code: 'PATH_OUTSIDE_REPO' });
    expect(await read(repo, 'missing.txt')).toMatchObject({ ok: false, code: 'NOT_FOUND' });
  });
});

describe('literal search on a real directory', () => {
  it('should equal rg -F file for file on an installed package', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codekb-real-'));
    try {
      const source = join(process.cwd(), 'node_modules', 'zod', 'src', 'v4', 'core');
      const root = join(dir, 'core');
      cpSync(source, root, { recursive: true, dereference: true });
      writeFileSync(join(root, '.hidden-notes'), 'safeParse appears in a hidden file too\n');
      await indexRepository({ root, dbPath: join(dir, 'index.db') });
      using repo = openRepoIndex({ root, dbPath: join(dir, 'index.db') });
      for (const needle of ['safeParse', 'export function', '$ZodType', '=>', 'x', 'interface $ZodIssueBase']) {
        expect(await literalFiles(repo, needle), needle).toEqual(rgFiles(root, needle));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
