import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { openRepoIndex, type RepoIndex } from '../query/repo-index.js';
import { search } from '../query/search.js';
import { createVectorBackend } from './backend.js';
import { fuse, hybridSearch } from './hybrid.js';
import { startJsonServer } from './test-support/json-server.js';
import { EMBEDDINGS_KEY, QDRANT_KEY, startVectorFixture, type VectorFixture } from './test-support/vector-fixture.js';

/**
 * A function whose name, signature and doc say nothing about retrying: BM25 finds its file (by
 * the words of its text) but cites a comment line, not the function, for "exponential backoff when
 * busy", while its chunk (signature, doc and first body lines) holds those words.
 */
const CLIENT_TS = `/** Sends a request through the shared connection pool. */
export async function sendRequest(url: string): Promise<Response> {
  // When the server is busy, wait and try again: exponential backoff,
  // doubling the delay after each failed attempt.
  for (let attempt = 0; ; attempt++) {
    const response = await fetch(url);
    if (response.status !== 503) return response;
    await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
  }
}
`;
const QUERY = 'exponential backoff when busy';

describe('hybridSearch', () => {
  let fixture: VectorFixture;
  let repo: RepoIndex;
  beforeAll(async () => {
    fixture = await startVectorFixture({ 'src/net/client.ts': CLIENT_TS });
    await fixture.backend.sync({ root: fixture.repo.root });
    repo = openRepoIndex({ root: fixture.repo.root, dbPath: fixture.repo.dbPath });
  });
  afterAll(async () => {
    repo?.close();
    await fixture?.[Symbol.asyncDispose]();
  });

  it('should find a symbol by what its body does, which BM25 alone misses', async () => {
    const bm25 = await search(repo, QUERY);
    expect(bm25.filter((hit) => hit.path === 'src/net/client.ts').map((hit) => `${hit.line}:${hit.source}`)).toEqual(['3:text']);
    const result = await hybridSearch(repo, QUERY, { vectors: fixture.backend });
    expect(result.vectors).toEqual({ status: 'used' });
    expect(result.note).toBeUndefined();
    // Both lists rank client.ts first: BM25 by its comment line, the vectors by the function.
    expect(result.hits[0]).toMatchObject({ path: 'src/net/client.ts', line: 3, source: 'text' });
    expect(result.hits[1]).toEqual({
      path: 'src/net/client.ts',
      line: 2,
      source: 'symbol',
      text: 'export async function sendRequest(url: string): Promise<Response> {',
      name: 'sendRequest',
      kind: 'function',
    });
  });

  it("should keep BM25's best answer first when both agree", async () => {
    const result = await hybridSearch(repo, 'Circle', { vectors: fixture.backend });
    expect(result.hits[0]).toMatchObject({ path: 'src/shapes.ts', line: 15, name: 'Circle', kind: 'class' });
    for (const hit of result.hits) expect(hit.line).toBeGreaterThan(0);
  });

  it('should apply the language and path filters to vector hits too', async () => {
    expect((await hybridSearch(repo, QUERY, { vectors: fixture.backend, language: 'go' })).hits).toEqual([]);
    const python = await hybridSearch(repo, 'serve the routes', { vectors: fixture.backend, language: 'python' });
    expect(python.hits.length).toBeGreaterThan(0);
    expect(python.hits.every((hit) => hit.path.endsWith('.py'))).toBe(true);
    const docs = await hybridSearch(repo, 'circle area', { vectors: fixture.backend, path: 'docs/**' });
    expect(new Set(docs.hits.map((hit) => hit.path))).toEqual(new Set(['docs/notes.txt']));
  });

  it('should never use vectors in literal mode', async () => {
    const before = fixture.embeddings.requests.length;
    const result = await hybridSearch(repo, 'needle', { vectors: fixture.backend, literal: true });
    expect(result.vectors).toEqual({ status: 'off' });
    expect(result.hits).toEqual(await search(repo, 'needle', { literal: true }));
    expect(fixture.embeddings.requests.length).toBe(before);
  });

  it('should answer with the BM25 hits and a note when Qdrant is down, never showing a key', async () => {
    const down = createVectorBackend({ ...fixture.config, qdrantUrl: 'http://127.0.0.1:9' }, { dbPath: fixture.repo.dbPath });
    const result = await hybridSearch(repo, 'area', { vectors: down, limit: 5 });
    expect(result.hits).toEqual(await search(repo, 'area', { limit: 5 }));
    expect(result.vectors).toMatchObject({ status: 'failed', code: 'VECTOR_STORE_UNAVAILABLE' });
    expect(result.note).toMatch(/^vector search unavailable, BM25 results only \(VECTOR_STORE_UNAVAILABLE: Qdrant at http:\/\/127\.0\.0\.1:9 unreachable/);
    expect(JSON.stringify(result)).not.toContain(QDRANT_KEY);
    expect(JSON.stringify(result)).not.toContain(EMBEDDINGS_KEY);
  });

  it('should give up on a vector backend that does not answer in time', async () => {
    await using silent = await startJsonServer(() => new Promise(() => undefined));
    const hanging = createVectorBackend({ ...fixture.config, embeddingsUrl: `${silent.url}/v1` }, { dbPath: fixture.repo.dbPath });
    const started = performance.now();
    const result = await hybridSearch(repo, 'area', { vectors: hanging, vectorTimeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(result.vectors).toMatchObject({ status: 'failed', code: 'VECTOR_TIMEOUT' });
    expect(result.hits.length).toBeGreaterThan(0);
  });

  it('should drop vector hits the index no longer holds (points not yet refreshed)', async () => {
    rmSync(join(fixture.repo.root, 'src/net/client.ts'));
    await indexRepository({ root: fixture.repo.root, dbPath: fixture.repo.dbPath });
    expect(fixture.qdrant.points(fixture.backend.collection).some((point) => point.payload.path === 'src/net/client.ts')).toBe(true);
    const result = await hybridSearch(repo, QUERY, { vectors: fixture.backend });
    expect(result.hits.map((hit) => hit.path)).not.toContain('src/net/client.ts');
  });
});

describe('fuse', () => {
  it('should rank hits found by both lists above hits found by one, ties in list order', () => {
    const hit = (path: string, line: number) => ({ path, line, source: 'text' as const, text: '' });
    const fused = fuse([
      [hit('a', 1), hit('b', 1), hit('c', 1)],
      [hit('d', 1), hit('d', 1), hit('c', 1)],
    ]);
    expect(fused.map((h) => h.path)).toEqual(['c', 'a', 'd', 'b']);
  });
});
