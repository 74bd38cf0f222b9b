import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// The bench's measure, so that the test and the figures it reports count the same way.
import { ctagsRecall } from '../../bench/lib/recall.mjs';
import { openRepoIndex } from '../query/repo-index.js';
import { indexRepository } from './indexer.js';

interface LanguageRecall {
  language: string;
  tags: number;
  found: number;
  recall: number;
  missedByKind: Record<string, number>;
  examples: string[];
  excluded: Record<string, number>;
}

const PYTHON_STDLIB = '/usr/lib/python3.11';
/** About 180 files of the Python standard library (with tuple assignments, lambdas, enums): quick to index. */
const PYTHON_PACKAGES = ['asyncio', 'email', 'json', 'importlib', 'concurrent', 'logging', 'xml', 'unittest', 'enum.py', 'fractions.py', 'gzip.py', 'pickle.py', 'os.py'];

/** Copies `sources` into one temp repository, indexes it and measures recall per ctags language. */
async function measure(sources: string[]): Promise<Map<string, LanguageRecall>> {
  const dir = mkdtempSync(join(tmpdir(), 'codekb-ctags-'));
  try {
    const root = join(dir, 'repo');
    // CommonJS copies of a package's modules (.cjs, .d.cts) repeat its ESM ones: not worth the time.
    const filter = (path: string): boolean => !path.includes('__pycache__') && !/\.(cjs|d\.cts)$/.test(path);
    for (const source of sources) cpSync(source, join(root, basename(source)), { recursive: true, dereference: true, filter });
    const summary = await indexRepository({ root, dbPath: join(dir, 'index.db') });
    using repo = openRepoIndex({ root, dbPath: join(dir, 'index.db') });
    const result = ctagsRecall(root, repo.sqlite) as { languages: LanguageRecall[] };
    for (const l of result.languages) {
      console.log(
        `${sources.map((s) => basename(s)).join('+')} ${l.language}: recall ${l.recall.toFixed(4)} (${l.found}/${l.tags}; index ${summary.durationMs} ms); ` +
          `missed ${JSON.stringify(l.missedByKind)} e.g. ${l.examples.slice(0, 4).join(' | ')}; not declarations ${JSON.stringify(l.excluded)}`,
      );
    }
    return new Map(result.languages.map((l) => [l.language, l]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('definition recall against Universal Ctags', () => {
  it('should recall the TypeScript and JavaScript definitions ctags finds in an installed package', { timeout: 120_000 }, async () => {
    // zod ships its TypeScript sources beside the JavaScript and declarations built from them.
    const recall = await measure([join(process.cwd(), 'node_modules', 'zod')]);
    const typescript = recall.get('TypeScript');
    const javascript = recall.get('JavaScript');
    expect(typescript?.tags).toBeGreaterThan(10_000);
    expect(typescript?.recall).toBeGreaterThanOrEqual(0.97);
    expect(javascript?.tags).toBeGreaterThan(4_000);
    expect(javascript?.recall).toBeGreaterThanOrEqual(0.95);
  });

  it.runIf(existsSync(join(PYTHON_STDLIB, 'asyncio')))('should recall the Python definitions ctags finds in the standard library', { timeout: 120_000 }, async () => {
    const recall = await measure(PYTHON_PACKAGES.map((name) => join(PYTHON_STDLIB, name)).filter(existsSync));
    const python = recall.get('Python');
    expect(python?.tags).toBeGreaterThan(3_000);
    expect(python?.recall).toBeGreaterThanOrEqual(0.99);
  });
});
