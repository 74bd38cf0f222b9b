import { rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { indexRepository } from '../index/indexer.js';
import { createVectorBackend } from './backend.js';
import { isVectorError } from './errors.js';
import type { StubPoint } from './test-support/qdrant-stub.js';
import { startVectorFixture, type VectorFixture } from './test-support/vector-fixture.js';

function byPath(points: StubPoint[]): Map<string, StubPoint[]> {
  const grouped = new Map<string, StubPoint[]>();
  for (const point of points) {
    const path = String(point.payload.path);
    grouped.set(path, [...(grouped.get(path) ?? []), point]);
  }
  return grouped;
}

/** The upsert requests' point paths since request `from`. */
function upsertedPaths(fixture: VectorFixture, from: number): string[] {
  const paths = fixture.qdrant.requests
    .slice(from)
    .filter((request) => request.method === 'PUT' && /\/points(\?|$)/.test(request.url))
    .flatMap((request) => (request.body as { points: { payload: { path: string } }[] }).points.map((point) => point.payload.path));
  return [...new Set(paths)].sort();
}

describe('syncVectors', () => {
  let fixture: VectorFixture;
  beforeEach(async () => {
    fixture = await startVectorFixture();
  });
  afterEach(async () => {
    await fixture?.[Symbol.asyncDispose]();
  });

  it('should put one point per symbol (and text chunks for files without symbols) with the cited payload', async () => {
    const summary = await fixture.backend.sync({ root: fixture.repo.root });
    expect(summary).toMatchObject({ embedded: 8, removed: 0, unchanged: 0, deferred: 0, model: 'hash-embed-256' });
    expect(fixture.qdrant.collections()).toEqual([fixture.backend.collection]);
    const points = fixture.qdrant.points(fixture.backend.collection);
    expect(points).toHaveLength(summary.chunks);
    expect(points.map((point) => point.payload)).toContainEqual({ path: 'src/shapes.ts', line: 15, endLine: 27, name: 'Circle', kind: 'class' });
    expect(points.map((point) => point.payload)).toContainEqual({ path: 'docs/notes.txt', line: 1, endLine: 4, name: 'notes.txt', kind: 'text' });
    const paths = [...byPath(points).keys()].sort();
    expect(paths).toEqual(['.gitignore', 'docs/notes.txt', 'go/server.go', 'py/app.py', 'rust/lib.rs', 'src/shapes.ts', 'src/util.js', 'src/widget.tsx']);
    for (const point of points) expect(point.vector).toHaveLength(256);
  });

  it('should embed nothing on a second run when nothing changed', async () => {
    await fixture.backend.sync({ root: fixture.repo.root });
    const embedded = fixture.embeddings.embedded();
    const from = fixture.qdrant.requests.length;
    const again = await fixture.backend.sync({ root: fixture.repo.root });
    expect(again).toMatchObject({ embedded: 0, chunks: 0, removed: 0, unchanged: 8 });
    expect(fixture.embeddings.embedded()).toBe(embedded);
    expect(upsertedPaths(fixture, from)).toEqual([]);
  });

  it('should replace only the points of an edited file', async () => {
    await fixture.backend.sync({ root: fixture.repo.root });
    const before = byPath(fixture.qdrant.points(fixture.backend.collection));
    appendFileSync(join(fixture.repo.root, 'src/util.js'), '\n/** Retries a task with exponential backoff. */\nexport function retryWithBackoff(task) {\n  return task();\n}\n');
    await indexRepository({ root: fixture.repo.root, dbPath: fixture.repo.dbPath });
    const from = fixture.qdrant.requests.length;
    const summary = await fixture.backend.sync({ root: fixture.repo.root });
    expect(summary).toMatchObject({ embedded: 1, removed: 0, unchanged: 7 });
    expect(upsertedPaths(fixture, from)).toEqual(['src/util.js']);
    const after = byPath(fixture.qdrant.points(fixture.backend.collection));
    expect(after.get('src/util.js')?.map((point) => point.payload.name)).toContain('retryWithBackoff');
    expect(after.get('src/util.js')?.length).toBe((before.get('src/util.js')?.length ?? 0) + 1);
    for (const [path, points] of before) if (path !== 'src/util.js') expect(after.get(path), path).toEqual(points);
  });

  it('should delete the points of a deleted file', async () => {
    await fixture.backend.sync({ root: fixture.repo.root });
    rmSync(join(fixture.repo.root, 'go/server.go'));
    await indexRepository({ root: fixture.repo.root, dbPath: fixture.repo.dbPath });
    const summary = await fixture.backend.sync({ root: fixture.repo.root });
    expect(summary).toMatchObject({ embedded: 0, removed: 1, unchanged: 7 });
    const paths = fixture.qdrant.points(fixture.backend.collection).map((point) => point.payload.path);
    expect(paths).not.toContain('go/server.go');
    expect(paths).toContain('src/shapes.ts');
  });

  it('should start the collection afresh when the model changes', async () => {
    await fixture.backend.sync({ root: fixture.repo.root });
    const other = createVectorBackend({ ...fixture.config, embeddingsModel: 'hash-embed-other' }, { dbPath: fixture.repo.dbPath });
    const summary = await other.sync({ root: fixture.repo.root });
    expect(summary).toMatchObject({ embedded: 8, model: 'hash-embed-other' });
    expect(fixture.qdrant.requests.some((request) => request.method === 'DELETE')).toBe(true);
    expect(fixture.qdrant.points(fixture.backend.collection)).toHaveLength(summary.chunks);
  });

  it('should re-embed everything when the collection was lost on the Qdrant side', async () => {
    const first = await fixture.backend.sync({ root: fixture.repo.root });
    await fixture.backend.store.dropCollection();
    const again = await fixture.backend.sync({ root: fixture.repo.root });
    expect(again).toMatchObject({ embedded: 8, chunks: first.chunks });
  });

  it('should leave the points and the state alone when the embedder is down, and catch up later', async () => {
    await fixture.backend.sync({ root: fixture.repo.root });
    writeFileSync(join(fixture.repo.root, 'src/util.js'), 'export const nothing = 0;\n');
    await indexRepository({ root: fixture.repo.root, dbPath: fixture.repo.dbPath });
    const down = createVectorBackend({ ...fixture.config, embeddingsUrl: 'http://127.0.0.1:9/v1' }, { dbPath: fixture.repo.dbPath });
    const failure = await down.sync({ root: fixture.repo.root }).catch((error: unknown) => error);
    expect(isVectorError(failure) && failure.code).toBe('EMBEDDINGS_UNAVAILABLE');
    expect(fixture.qdrant.points(fixture.backend.collection).map((point) => point.payload.name)).toContain('parseList');
    const summary = await fixture.backend.sync({ root: fixture.repo.root });
    expect(summary).toMatchObject({ embedded: 1, unchanged: 7 });
    const names = fixture.qdrant.points(fixture.backend.collection).filter((point) => point.payload.path === 'src/util.js').map((point) => point.payload.name);
    expect(names).toEqual(['nothing']);
  });
});
