import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { tempFixtureRepo, type TempRepo } from '../test-support/fixture.js';
import { related } from './related.js';
import { openRepoIndex, type RepoIndex } from './repo-index.js';
import { countTokens, repoMap } from './repo-map.js';

function git(root: string, ...args: string[]): void {
  execFileSync('git', ['-C', root, '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { stdio: 'ignore' });
}

/** The fixture plus importers in every language, committed in a throwaway git repo: server.go and app.py change together. */
async function gitFixture(): Promise<TempRepo> {
  const fixture = tempFixtureRepo();
  const { root } = fixture;
  writeFileSync(join(root, 'py', 'main.py'), 'from .app import Application\nimport functools\n\nApplication().health()\n');
  writeFileSync(join(root, 'rust', 'geo.rs'), 'pub fn origin() -> f64 { 0.0 }\n');
  appendFileSync(join(root, 'rust', 'lib.rs'), '\nmod geo;\n');
  mkdirSync(join(root, 'go', 'cmd'));
  writeFileSync(join(root, 'go', 'cmd', 'main.go'), 'package main\n\nimport (\n\t"example.com/sample/go"\n)\n\nfunc main() { server.NewServer("x") }\n');
  git(root, 'init', '-q');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'initial');
  for (const round of [1, 2]) {
    appendFileSync(join(root, 'go', 'server.go'), `\n// change ${round}\n`);
    appendFileSync(join(root, 'py', 'app.py'), `\n# change ${round}\n`);
    git(root, 'commit', '-q', '-am', `change ${round}`);
  }
  await indexRepository({ root, dbPath: fixture.dbPath });
  return fixture;
}

describe('repoMap and related', () => {
  let fixture: TempRepo;
  let repo: RepoIndex;
  beforeAll(async () => {
    fixture = await gitFixture();
    repo = openRepoIndex({ root: fixture.root, dbPath: fixture.dbPath });
  });
  afterAll(() => {
    repo?.close();
    fixture?.[Symbol.dispose]();
  });

  it('should list the most referenced file first, as path and indented kind name :line lines', () => {
    const map = repoMap(repo, { budget: 60 });
    expect(map.files[0]?.path).toBe('src/shapes.ts');
    expect(map.files.map((file) => file.score)).toEqual([...map.files.map((file) => file.score)].sort((a, b) => b - a));
    expect(map.text).toMatchInlineSnapshot(`
      "src/shapes.ts
        interface Shape :2
        property Shape.name :4
        enum Color :7
        class Circle :15
        property Circle.name :16
        type ShapeList :29
        function totalArea :31
        function makeUnitCircle :38
      py/app.py
        variable DEFAULT_PORT :4"
    `);
  });

  it('should respect the token budget', () => {
    for (const budget of [5, 12, 40, 100, 1024]) {
      const map = repoMap(repo, { budget });
      expect(map.tokens).toBe(countTokens(map.text));
      expect(map.tokens).toBeLessThanOrEqual(budget);
      expect(map.text === '' ? 0 : map.text.split('\n').length).toBe(map.files.reduce((n, file) => n + 1 + file.symbols.length, 0));
    }
    expect(repoMap(repo, { budget: 5 }).text).toBe("");
    expect(repoMap(repo).files.length).toBeGreaterThan(repoMap(repo, { budget: 40 }).files.length);
  });

  it('should find an importing file and an imported one (TS, Python, Go, Rust)', async () => {
    const shapes = await related(repo, 'src/shapes.ts');
    expect(shapes?.[0]).toMatchObject({ path: 'src/widget.tsx', reasons: expect.arrayContaining(['imports src/shapes.ts']) });
    expect((await related(repo, 'src/widget.tsx'))?.[0]?.reasons).toContain('imported by src/widget.tsx');
    expect((await related(repo, 'py/app.py'))?.find((hit) => hit.path === 'py/main.py')?.reasons).toContain('imports py/app.py');
    expect((await related(repo, 'rust/geo.rs'))?.[0]).toMatchObject({ path: 'rust/lib.rs', reasons: expect.arrayContaining(['imports rust/geo.rs']) });
    expect((await related(repo, 'go/cmd/main.go'))?.find((hit) => hit.path === 'go/server.go')?.reasons).toContain('imported by go/cmd/main.go');
  });

  it('should find a co-changed file from git history', async () => {
    const hits = (await related(repo, 'go/server.go', { limit: 3 })) ?? [];
    expect(hits).toHaveLength(3);
    expect(hits.find((hit) => hit.path === 'py/app.py')?.reasons).toContain('changed together in 3 of 3 commits');
    expect(hits.map((hit) => hit.path)).toContain('py/app.py');
  });

  it('should answer undefined for a file outside the index', async () => {
    expect(await related(repo, 'nope.ts')).toBeUndefined();
  });
});
