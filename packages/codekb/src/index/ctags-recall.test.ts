import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRepoIndex } from '../query/repo-index.js';
import { indexRepository } from './indexer.js';

/** ctags kinds that name a declaration codekb also records (imports and locals are not definitions). */
const DEFINITION_KINDS = new Set(['class', 'function', 'method', 'interface', 'enum', 'alias', 'namespace', 'enumerator', 'property', 'constant', 'variable', 'generator', 'member']);

interface Tag {
  path: string;
  name: string;
  line: number;
  kind: string;
}

const lineCache = new Map<string, string[]>();

/**
 * Universal Ctags' TypeScript parser reports identifiers inside expressions (`Object`, `Number`,
 * `$` in a regex literal) as constants. A constant or variable tag counts only when its line
 * declares that name (`const NAME`, `NAME =`, …); every other kind is taken as ctags reports it.
 */
function isRealDeclaration(root: string, tag: Tag): boolean {
  if (tag.kind !== 'constant' && tag.kind !== 'variable') return true;
  const path = join(root, tag.path);
  const lines = lineCache.get(path) ?? readFileSync(path, 'utf8').split('\n');
  lineCache.set(path, lines);
  const name = tag.name.replace(/[$]/g, '\\$');
  return new RegExp(`(^|\\b(const|let|var)\\s+|^\\s*)${name}\\s*[:=]|\\b(const|let|var)\\s+${name}\\b`).test(lines[tag.line - 1] ?? '');
}

function ctagsTags(root: string, language: string): { tags: Tag[]; ms: number } {
  const started = performance.now();
  const out = execFileSync('ctags', ['-R', `--languages=${language}`, '--output-format=json', '--fields=+nK', '-f', '-', '.'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const ms = performance.now() - started;
  const tags = out
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { _type: string; name: string; path: string; line: number; kind: string })
    .filter((tag) => tag._type === 'tag' && DEFINITION_KINDS.has(tag.kind))
    .map((tag) => ({ path: tag.path.replace(/^\.\//, ''), name: tag.name, line: tag.line, kind: tag.kind }));
  return { tags, ms };
}

async function measure(source: string, language: string, glob: RegExp): Promise<{ recall: number; tags: number; indexMs: number; ctagsMs: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'codekb-ctags-'));
  try {
    const root = join(dir, 'repo');
    cpSync(source, root, { recursive: true, dereference: true, filter: (path) => !path.includes('__pycache__') });
    const summary = await indexRepository({ root, dbPath: join(dir, 'index.db') });
    const { tags, ms } = ctagsTags(root, language);
    using repo = openRepoIndex({ root, dbPath: join(dir, 'index.db') });
    const ours = repo.sqlite.prepare('SELECT f.path, s.name, s.start_line AS start, s.end_line AS end FROM symbols s JOIN files f ON f.id = s.file_id').all() as {
      path: string;
      name: string;
      start: number;
      end: number;
    }[];
    const byKey = new Map<string, { start: number; end: number }[]>();
    for (const s of ours) byKey.set(`${s.path}\0${s.name}`, [...(byKey.get(`${s.path}\0${s.name}`) ?? []), s]);
    const relevant = tags.filter((tag) => glob.test(tag.path) && isRealDeclaration(root, tag));
    const found = relevant.filter((tag) => (byKey.get(`${tag.path}\0${tag.name}`) ?? []).some((s) => s.start <= tag.line && tag.line <= s.end));
    return { recall: found.length / relevant.length, tags: relevant.length, indexMs: summary.durationMs, ctagsMs: Math.round(ms) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('definition recall against Universal Ctags', () => {
  it('should recall the TypeScript definitions ctags finds in an installed package', { timeout: 180_000 }, async () => {
    const result = await measure(join(process.cwd(), 'node_modules', 'zod', 'src', 'v4', 'core'), 'TypeScript', /\.ts$/);
    console.log(`zod/src/v4/core TypeScript: recall ${result.recall.toFixed(4)} over ${result.tags} ctags definitions; index ${result.indexMs} ms vs ctags ${result.ctagsMs} ms`);
    expect(result.tags).toBeGreaterThan(500);
    expect(result.recall).toBeGreaterThanOrEqual(0.9);
  });

  it.runIf(existsSync('/usr/lib/python3.11/json'))('should recall the Python definitions ctags finds in the standard library', { timeout: 180_000 }, async () => {
    const result = await measure('/usr/lib/python3.11/json', 'Python', /\.py$/);
    console.log(`python3.11/json: recall ${result.recall.toFixed(4)} over ${result.tags} ctags definitions; index ${result.indexMs} ms vs ctags ${result.ctagsMs} ms`);
    expect(result.tags).toBeGreaterThan(50);
    expect(result.recall).toBeGreaterThanOrEqual(0.9);
  });
});
