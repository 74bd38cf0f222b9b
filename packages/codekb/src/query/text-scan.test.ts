import { execFileSync } from 'node:child_process';
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
