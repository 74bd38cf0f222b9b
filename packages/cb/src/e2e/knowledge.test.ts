import { cpSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultDbPath, indexRepository } from '@flotilla/codekb';
import { startHarness, type Harness } from './harness.js';

/** codekb's own fixture repository (TypeScript, TSX, JavaScript, Python, Go, Rust and text). */
const FIXTURE = join(dirname(createRequire(import.meta.url).resolve('@flotilla/codekb/package.json')), 'fixtures', 'sample');

/** The same error the client throws, as a plain object to match against. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => error,
  );
}

describe('knowledge: codekb queries through a real daemon', () => {
  let h: Harness;
  let kb: string;

  beforeAll(async () => {
    h = await startHarness({ config: { agents: { done: { argv: ['sh', '-c', 'cat >/dev/null'], promptVia: 'stdin', outputFormat: 'text' } } } });
    kb = join(h.root, 'kb');
    cpSync(FIXTURE, kb, { recursive: true });
    symlinkSync('/etc/hostname', join(kb, 'escape-link'));
    kb = realpathSync(kb);
    // Indexed as `codekb index` would, into the daemon's FLOTILLA_HOME.
    await indexRepository({ root: kb, dbPath: defaultDbPath(kb, { FLOTILLA_HOME: h.paths.home }) });
    for (const cwd of [kb, h.repo]) await h.waitEnded((await h.createJob({ prompt: 'x', agent: 'done', cwd, worktree: false })).id);
  });

  afterAll(async () => {
    await h?.[Symbol.asyncDispose]();
  });

  it('should offer the knowledge add-on and list the indexed repository first, the unindexed one with its fix', async () => {
    expect((await h.client.capabilities()).addons).toContain('knowledge');
    const repos = await h.client.knowledgeRepos();
    expect(repos.map(({ root, name, indexed, fix }) => ({ root, name, indexed, fix }))).toEqual([
      { root: kb, name: 'kb', indexed: true, fix: undefined },
      { root: realpathSync(h.repo), name: 'repo', indexed: false, fix: `FLOTILLA_HOME=${h.paths.home} codekb index ${realpathSync(h.repo)}` },
    ]);
    expect(Date.parse(repos[0]?.indexedAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
  });

  it('should answer a ranked search with cited hits, and filter by language and path glob', async () => {
    const { root, hits } = await h.client.knowledgeSearch({ repo: kb, query: 'Circle' });
    expect(root).toBe(kb);
    expect(hits[0]).toMatchObject({ path: 'src/shapes.ts', line: 15, citation: 'src/shapes.ts:15', source: 'symbol', name: 'Circle', kind: 'class' });
    for (const hit of hits) expect(hit.citation).toBe(`${hit.path}:${hit.line}`);
    const tsx = await h.client.knowledgeSearch({ repo: kb, query: 'Circle', language: 'tsx' });
    expect(new Set(tsx.hits.map((hit) => hit.path))).toEqual(new Set(['src/widget.tsx']));
    const docs = await h.client.knowledgeSearch({ repo: kb, query: 'Circle', path: 'docs/**' });
    expect(docs.hits.map((hit) => hit.citation)).toEqual(['docs/notes.txt:2']);
  });

  it('should find exact substrings only in literal mode, up to the limit', async () => {
    const literal = await h.client.knowledgeSearch({ repo: kb, query: 'new Circle(', literal: true });
    expect(literal.hits.map((hit) => hit.citation).sort()).toEqual(['src/shapes.ts:25', 'src/shapes.ts:38', 'src/widget.tsx:9']);
    expect((await h.client.knowledgeSearch({ repo: kb, query: 'new circle(', literal: true })).hits).toEqual([]);
    expect((await h.client.knowledgeSearch({ repo: kb, query: 'new Circle(', literal: true, limit: 1 })).hits).toHaveLength(1);
  });

  it('should answer definitions and references, each citing a line the read endpoint shows', async () => {
    const definition = await h.client.knowledgeDefinition({ repo: kb, name: 'Circle.area' });
    expect(definition.hits[0]).toMatchObject({ path: 'src/shapes.ts', line: 20, citation: 'src/shapes.ts:20', kind: 'method', container: 'Circle', doc: expect.stringContaining('pi r squared') });
    const references = await h.client.knowledgeReferences({ repo: kb, name: 'totalArea' });
    expect(references.hits).toContainEqual({ path: 'src/widget.tsx', line: 10, citation: 'src/widget.tsx:10', name: 'totalArea', enclosing: 'AreaWidget' });
    const file = await h.client.knowledgeRead({ repo: kb, path: 'src/shapes.ts', start: 19, end: 21 });
    expect(file).toEqual({
      root: kb,
      path: 'src/shapes.ts',
      start: 19,
      end: 21,
      totalLines: 38,
      lines: [
        { line: 19, text: '  /** The area, pi r squared. */' },
        { line: 20, text: '  area(): number {' },
        { line: 21, text: '    return Math.PI * this.radius * this.radius;' },
      ],
    });
  });

  it('should answer for a directory inside the repository from the repository index', async () => {
    const { root, hits } = await h.client.knowledgeDefinition({ repo: join(kb, 'src'), name: 'AreaWidget' });
    expect(root).toBe(kb);
    expect(hits[0]?.citation).toBe('src/widget.tsx:8');
  });

  it('should refuse reads outside the repository exactly like codekb', async () => {
    for (const path of ['../kb/src/shapes.ts', '/etc/hostname', 'escape-link']) {
      expect(await failure(h.client.knowledgeRead({ repo: kb, path })), path).toMatchObject({
        code: 'BAD_REQUEST',
        status: 400,
        details: { reason: 'PATH_OUTSIDE_REPO' },
        message: expect.stringContaining('refused'),
      });
    }
    expect(await failure(h.client.knowledgeRead({ repo: kb, path: 'src/missing.ts' }))).toMatchObject({ code: 'NOT_FOUND', status: 404 });
    expect(await failure(h.client.knowledgeRead({ repo: kb, path: 'src' }))).toMatchObject({ code: 'BAD_REQUEST', details: { reason: 'NOT_A_FILE' } });
  });

  it('should say how to index a repository without an index, and reject malformed queries', async () => {
    expect(await failure(h.client.knowledgeSearch({ repo: h.repo, query: 'x' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: `${realpathSync(h.repo)} has no codekb index`,
      fix: `FLOTILLA_HOME=${h.paths.home} codekb index ${realpathSync(h.repo)}`,
    });
    expect(await failure(h.client.knowledgeSearch({ repo: join(h.root, 'nowhere'), query: 'x' }))).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no such directory') });
    expect(await failure(h.client.knowledgeSearch({ repo: 'kb', query: 'x' }))).toMatchObject({ code: 'VALIDATION_FAILED', message: 'repo: give the repository as an absolute path' });
    expect(await failure(h.client.knowledgeDefinition({ repo: kb, name: '' }))).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await failure(h.client.knowledgeRead({ repo: kb, path: 'src/shapes.ts', start: 9, end: 3 }))).toMatchObject({ code: 'VALIDATION_FAILED', message: 'end: end must not be before start' });
  });

  it('should see a re-index at the next query, without restarting the daemon', async () => {
    writeFileSync(join(kb, 'src', 'fresh.ts'), 'export function freshlyAdded(): number {\n  return 1;\n}\n');
    await indexRepository({ root: kb, dbPath: defaultDbPath(kb, { FLOTILLA_HOME: h.paths.home }) });
    expect((await h.client.knowledgeDefinition({ repo: kb, name: 'freshlyAdded' })).hits.map((hit) => hit.citation)).toEqual(['src/fresh.ts:1']);
  });
});
