import { appendFileSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { openRepoIndex, type RepoIndex } from '../query/repo-index.js';
import { definition, outline } from '../query/symbols.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';
import { startIndexWatcher, type IndexWatcher } from './index.js';

/** The promise is "within a second"; the test allows 2 s for a loaded CI machine. */
const FRESH_WITHIN_MS = 2000;

/** Polls `check` until it holds; resolves to how long that took, or throws after `withinMs`. */
async function within(withinMs: number, check: () => boolean): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (check()) return performance.now() - started;
    if (performance.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((done) => setTimeout(done, 2));
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

describe('startIndexWatcher', () => {
  let fixture: TempRepo;
  let watcher: IndexWatcher;
  let repo: RepoIndex;
  const commitLatencies: number[] = [];
  const indexLatencies: number[] = [];
  beforeAll(async () => {
    fixture = tempFixtureRepo();
    await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
    watcher = await startIndexWatcher({ root: fixture.root, dbPath: fixture.dbPath, onIndexed: (batch) => {
        commitLatencies.push(batch.latencyMs);
        indexLatencies.push(batch.indexMs);
      },
    });
    repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
  });
  afterAll(async () => {
    await watcher?.close();
    repo?.close();
    fixture?.[Symbol.dispose]();
  });

  it('should watch each non-ignored directory on Linux', () => {
    expect(watcher.mode).toBe(process.platform === 'linux' ? 'per-directory' : expect.any(String));
  });

  it('should make a function added to a file findable by definition', async () => {
    expect(definition(repo, 'addedByEdit')).toEqual([]);
    appendFileSync(join(fixture.root, 'src', 'shapes.ts'), '\nexport function addedByEdit(): number {\n  return 1;\n}\n');
    await within(FRESH_WITHIN_MS, () => definition(repo, 'addedByEdit').length === 1);
    expect(definition(repo, 'addedByEdit')[0]).toMatchObject({ path: 'src/shapes.ts', kind: 'function' });
  });

  it('should index a new file in a new directory, and not an ignored one', async () => {
    mkdirSync(join(fixture.root, 'build', 'deeper'), { recursive: true });
    writeFileSync(join(fixture.root, 'build', 'deeper', 'out.ts'), 'export function ignoredBuildOutput() {}\n');
    writeFileSync(join(fixture.root, 'app.log'), 'export function ignoredLog() {}\n');
    mkdirSync(join(fixture.root, 'lib', 'nested'), { recursive: true });
    writeFileSync(join(fixture.root, 'lib', 'nested', 'fresh.py'), 'def freshly_made():\n    return 2\n');
    await within(FRESH_WITHIN_MS, () => definition(repo, 'freshly_made').length === 1);
    expect(definition(repo, 'freshly_made')[0]).toMatchObject({ path: 'lib/nested/fresh.py', line: 1 });
    expect(outline(repo, 'build/deeper/out.ts')).toBeUndefined();
    expect(outline(repo, 'app.log')).toBeUndefined();
  });

  it('should drop a deleted file, a renamed file\'s old path and a deleted directory', async () => {
    writeFileSync(join(fixture.root, 'src', 'doomed.ts'), 'export function doomedFunction() {}\n');
    writeFileSync(join(fixture.root, 'src', 'moving.ts'), 'export function movingFunction() {}\n');
    await within(FRESH_WITHIN_MS, () => definition(repo, 'doomedFunction').length === 1 && definition(repo, 'movingFunction').length === 1);
    rmSync(join(fixture.root, 'src', 'doomed.ts'));
    renameSync(join(fixture.root, 'src', 'moving.ts'), join(fixture.root, 'src', 'moved.ts'));
    rmSync(join(fixture.root, 'lib'), { recursive: true });
    await within(FRESH_WITHIN_MS, () => definition(repo, 'doomedFunction').length === 0);
    await within(FRESH_WITHIN_MS, () => definition(repo, 'movingFunction')[0]?.path === 'src/moved.ts');
    await within(FRESH_WITHIN_MS, () => definition(repo, 'freshly_made').length === 0);
    expect(outline(repo, 'src/doomed.ts')).toBeUndefined();
    expect(outline(repo, 'src/moving.ts')).toBeUndefined();
  });

  it('should watch a directory deleted and made again', async () => {
    mkdirSync(join(fixture.root, 'again'));
    writeFileSync(join(fixture.root, 'again', 'one.go'), 'package again\n\nfunc FirstLife() {}\n');
    await within(FRESH_WITHIN_MS, () => definition(repo, 'FirstLife').length === 1);
    rmSync(join(fixture.root, 'again'), { recursive: true });
    mkdirSync(join(fixture.root, 'again'));
    writeFileSync(join(fixture.root, 'again', 'two.go'), 'package again\n\nfunc SecondLife() {}\n');
    await within(FRESH_WITHIN_MS, () => definition(repo, 'SecondLife').length === 1);
    await within(FRESH_WITHIN_MS, () => definition(repo, 'FirstLife').length === 0);
    writeFileSync(join(fixture.root, 'again', 'three.go'), 'package again\n\nfunc ThirdLife() {}\n');
    await within(FRESH_WITHIN_MS, () => definition(repo, 'ThirdLife').length === 1);
  });

  it('should make 20 successive edits queryable, and report edit → queryable latency', async () => {
    const queryable: number[] = [];
    commitLatencies.length = 0;
    indexLatencies.length = 0;
    for (let n = 0; n < 20; n++) {
      const name = `editNumber${n}`;
      const started = performance.now();
      writeFileSync(join(fixture.root, 'src', 'edited.ts'), `export function ${name}(): number {\n  return ${n};\n}\n`);
      await within(FRESH_WITHIN_MS, () => definition(repo, name).length === 1);
      queryable.push(performance.now() - started);
    }
    expect(definition(repo, 'editNumber0')).toEqual([]);
    const sorted = queryable.sort((a, b) => a - b);
    const commits = [...commitLatencies].sort((a, b) => a - b);
    const indexing = [...indexLatencies].sort((a, b) => a - b);
    console.info(
      `edit → queryable over ${sorted.length} edits: p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms ` +
        `(first event → commit: p50 ${percentile(commits, 50).toFixed(1)} ms, p99 ${percentile(commits, 99).toFixed(1)} ms; ` +
        `re-index alone: p50 ${percentile(indexing, 50).toFixed(1)} ms, p99 ${percentile(indexing, 99).toFixed(1)} ms; debounce 50 ms)`,
    );
    expect(percentile(sorted, 50)).toBeLessThan(FRESH_WITHIN_MS);
  });
});
