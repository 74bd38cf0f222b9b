/**
 * A `.gitignore` edited while `serve` watches: what its directory holds is indexed, or dropped, by
 * the new rules at once, and the watches follow (a directory it now ignores is no longer watched, one
 * it no longer ignores is) — in a plain directory (the rules applied by the watcher) and in a git
 * work tree (listed by git, which keeps a tracked file a `.gitignore` matches, as a full index does).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { openRepoIndex, type RepoIndex } from '../query/repo-index.js';
import { definition } from '../query/symbols.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';
import { startIndexWatcher, type IndexWatcher } from './index.js';

/** As in index.test.ts: "within a second", 2 s for a loaded CI machine. */
const FRESH_WITHIN_MS = 2000;

async function within(check: () => boolean, what: string): Promise<void> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > FRESH_WITHIN_MS) throw new Error(`not within ${FRESH_WITHIN_MS} ms: ${what}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

const found = (repo: RepoIndex, name: string): string[] => definition(repo, name).map((hit) => hit.path);

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function watched(setUp?: (root: string) => void): Promise<{ fixture: TempRepo; repo: RepoIndex; watcher: IndexWatcher }> {
  const fixture = tempFixtureRepo();
  setUp?.(fixture.root);
  await indexRepository({ root: fixture.root, dbPath: fixture.dbPath });
  const watcher = await startIndexWatcher({ root: fixture.root, dbPath: fixture.dbPath });
  const repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
  cleanup.push(async () => {
    await watcher.close();
    repo.close();
    fixture[Symbol.dispose]();
  });
  return { fixture, repo, watcher };
}

describe('a .gitignore edited while watching', () => {
  it('should drop what the new rules ignore and stop watching it, and index what they no longer ignore and watch it', async () => {
    const { fixture, repo } = await watched();
    const gitignore = join(fixture.root, '.gitignore');
    expect(found(repo, 'route')).toEqual(['py/app.py']);
    expect(found(repo, 'ignoredFunction')).toEqual([]);

    // py/ ignored: its file leaves the index, and a file made there later is not indexed.
    appendFileSync(gitignore, 'py/\n');
    await within(() => found(repo, 'route').length === 0, 'py/app.py dropped');
    writeFileSync(join(fixture.root, 'py', 'later.py'), 'def made_while_ignored():\n    pass\n');
    writeFileSync(join(fixture.root, 'src', 'marker.ts'), 'export function markerAfterIgnored() {}\n');
    await within(() => found(repo, 'markerAfterIgnored').length === 1, 'a later edit elsewhere indexed');
    expect(found(repo, 'made_while_ignored')).toEqual([]);

    // build/ and py/ no longer ignored: what they hold comes in, and new files there are watched.
    writeFileSync(gitignore, '*.log\n');
    await within(() => found(repo, 'ignoredFunction').length === 1 && found(repo, 'route').length === 1, 'build/ and py/ indexed');
    expect(found(repo, 'made_while_ignored')).toEqual(['py/later.py']);
    mkdirSync(join(fixture.root, 'build', 'deeper'));
    writeFileSync(join(fixture.root, 'build', 'deeper', 'fresh.ts'), 'export function freshInBuild() {}\n');
    await within(() => found(repo, 'freshInBuild').length === 1, 'a new file in build/deeper indexed');
  });

  it('should apply a .gitignore made in a subdirectory to that directory only', async () => {
    const { fixture, repo } = await watched();
    expect(found(repo, 'Circle')).toContain('src/shapes.ts');
    writeFileSync(join(fixture.root, 'src', '.gitignore'), 'shapes.ts\n');
    await within(() => !found(repo, 'Circle').includes('src/shapes.ts'), 'src/shapes.ts dropped');
    expect(found(repo, 'route')).toEqual(['py/app.py']);
    appendFileSync(join(fixture.root, 'src', 'shapes.ts'), '\nexport function editedWhileIgnored() {}\n');
    writeFileSync(join(fixture.root, 'src', 'other.ts'), 'export function stillWatched() {}\n');
    await within(() => found(repo, 'stillWatched').length === 1, 'src/other.ts indexed');
    expect(found(repo, 'editedWhileIgnored')).toEqual([]);
  });

  it('should list a git work tree as git does: a tracked file stays, an untracked one leaves', async () => {
    const { fixture, repo } = await watched((root) => {
      writeFileSync(join(root, 'src', 'tracked.ts'), 'export function trackedFunction() {}\n');
      writeFileSync(join(root, 'src', 'scratch.ts'), 'export function scratchFunction() {}\n');
      const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, stdio: 'pipe' });
      git('init', '-q');
      git('add', '.gitignore', 'src/tracked.ts', 'src/shapes.ts');
      git('commit', '-qm', 'init');
    });
    expect(found(repo, 'trackedFunction')).toEqual(['src/tracked.ts']);
    expect(found(repo, 'scratchFunction')).toEqual(['src/scratch.ts']);
    appendFileSync(join(fixture.root, '.gitignore'), 'src/tracked.ts\nsrc/scratch.ts\n');
    await within(() => found(repo, 'scratchFunction').length === 0, 'the untracked file dropped');
    expect(found(repo, 'trackedFunction')).toEqual(['src/tracked.ts']);
  });
});
