import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { openRepoIndex, type RepoIndex } from './repo-index.js';
import { search } from './search.js';

/** `path:line` of every line `rg -F -n` finds. */
function rgLines(root: string, needle: string): string[] {
  const out = execFileSync('rg', ['-F', '-n', '--no-heading', '--with-filename', '--', needle, '.'], { cwd: root, encoding: 'utf8' });
  return out.split('\n').filter(Boolean).map((l) => l.replace(/^\.\//, '').split(':').slice(0, 2).join(':')).sort();
}

describe('literal search over files cut into chunks', () => {
  let dir: string;
  let repo: RepoIndex;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codekb-chunks-'));
    const root = join(dir, 'repo');
    mkdirSync(root);
    // ~120 KB: several 16 KiB chunks, the needle in the first, a middle and the last line.
    const lines = Array.from({ length: 3000 }, (_, i) => `const value${i} = compute(${i}); // filler text for line ${i + 1}`);
    for (const at of [4, 1500, 2999]) lines[at] = `export const NEEDLE_MARK = ${at}; // Second Marker Here`;
    writeFileSync(join(root, 'big.ts'), `${lines.join('\n')}\n`);
    writeFileSync(join(root, 'small.txt'), 'one NEEDLE_MARK\n');
    await indexRepository({ root, dbPath: join(dir, 'index.db') });
    repo = openRepoIndex({ root, dbPath: join(dir, 'index.db') });
  });

  afterAll(() => {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should number lines across chunk boundaries exactly as rg -n does', async () => {
    const hits = await search(repo, 'NEEDLE_MARK', { literal: true, limit: 100 });
    expect(hits.map((h) => `${h.path}:${h.line}`).sort()).toEqual(rgLines(repo.root, 'NEEDLE_MARK'));
    expect(hits.map((h) => `${h.path}:${h.line}`)).toEqual(['big.ts:5', 'big.ts:1501', 'big.ts:3000', 'small.txt:1']);
    expect(hits[0]?.text).toBe('export const NEEDLE_MARK = 4; // Second Marker Here');
  });

  it('should find a line in a late chunk case-insensitively in ranked mode', async () => {
    const hits = await search(repo, 'second MARKER here', { limit: 10 });
    expect(hits.filter((h) => h.source === 'text').map((h) => h.line)).toEqual([5, 1501, 3000]);
  });

  it('should stop early under a limit, keeping path and line order', async () => {
    const hits = await search(repo, 'filler text for line 2', { literal: true, limit: 3 });
    expect(hits.map((h) => h.line)).toEqual([2, 20, 21]);
  });
});

/** `path:line:text` of every line `rg -F -n` finds, the text as a hit shows it (trimmed, 200 characters). */
function rgHits(root: string, needle: string): string[] {
  const result = spawnSync('rg', ['-F', '-n', '--no-heading', '--with-filename', '--no-config', '--', needle, '.'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status === 1) return [];
  if (result.status !== 0) throw new Error(`rg failed: ${result.stderr}`);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((row) => {
      const [, path = '', line = '', text = ''] = /^\.\/([^:]*):(\d+):(.*)$/s.exec(row) ?? [];
      return `${path}:${line}:${text.trim().slice(0, 200)}`;
    })
    .sort();
}

/** A seeded generator (mulberry32), so a failure reproduces. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('literal search against rg -F on a generated corpus', () => {
  const WORDS = ['foo', 'a.b', 'x*y', '(a|b)', '[0-9]+', '$1', '^start', 'end$', '\\d', '{2,3}', 'café', 'naïve', '日本語', '🙂ok', 'foo.bar(baz)', 'a, b', '\t', 'TODO(', '->', '::'];
  const NEEDLES = ['foo', 'a.b', 'x*y', '(a|b)', '[0-9]+', '$1', '^start', 'end$', '\\d', '{2,3}', 'café', 'é', '日本', '🙂', 'foo.bar(baz)', 'bar(baz) a, b', 'a, b', ') (a', 'TODO(', 'o.b', '::', 'needle at the end'];
  let dir: string;
  let repo: RepoIndex;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'codekb-rg-corpus-'));
    const root = join(dir, 'repo');
    const random = seeded(7);
    const pick = (): string => WORDS[Math.floor(random() * WORDS.length)]!;
    for (let f = 0; f < 24; f++) {
      const lines: string[] = [];
      // Files of a few lines up to several chunks, so matches sit on chunk boundaries too.
      const count = 1 + Math.floor(random() * (f % 4 === 0 ? 900 : 40));
      for (let i = 0; i < count; i++) lines.push(Array.from({ length: 1 + Math.floor(random() * 8) }, pick).join(random() < 0.5 ? ' ' : ''));
      // Long lines: the shown text is cut at 200 characters, also after more than 1 KiB of indentation.
      lines.push(`${'x'.repeat(3000)} foo`, `${' '.repeat(1500)}foo ${'日本語'.repeat(400)}`, `foo ${'é'.repeat(2000)}`, 'needle at the end');
      const sub = f % 3 === 0 ? 'src/' : f % 3 === 1 ? 'docs/deep/' : '';
      mkdirSync(join(root, sub), { recursive: true });
      writeFileSync(join(root, `${sub}file${f}.${f % 2 === 0 ? 'ts' : 'txt'}`), lines.join(f % 5 === 0 ? '\r\n' : '\n'));
    }
    await indexRepository({ root, dbPath: join(dir, 'index.db') });
    repo = openRepoIndex({ root, dbPath: join(dir, 'index.db') });
  });

  afterAll(() => {
    repo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should find every line rg -F finds, with the same text, for regex metacharacters, unicode and needles spanning punctuation', async () => {
    for (const needle of NEEDLES) {
      const hits = await search(repo, needle, { literal: true, limit: 1e9 });
      const ours = hits.map((hit) => `${hit.path}:${hit.line}:${hit.text}`).sort();
      const expected = rgHits(repo.root, needle);
      expect(expected.length, needle).toBeGreaterThan(0);
      expect(ours, needle).toEqual(expected);
    }
  });

  it('should return the first hits of every hit, in path and line order, under a limit', async () => {
    for (const needle of ['foo', 'é', 'a, b']) {
      const all = await search(repo, needle, { literal: true, limit: 1e9 });
      expect(await search(repo, needle, { literal: true, limit: 25 }), needle).toEqual(all.slice(0, 25));
      const ordered = [...all].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
      expect(all, needle).toEqual(ordered);
    }
  });
});
