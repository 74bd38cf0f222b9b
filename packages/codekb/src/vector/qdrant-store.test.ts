import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pointId } from './chunks.js';
import { createQdrantStore } from './qdrant-store.js';
import type { VectorPoint } from './store.js';
import { startQdrantStub, type QdrantStub } from './test-support/qdrant-stub.js';
import { vectorFailureOf } from './test-support/vector-failure.js';

const KEY = 'qdrant-secret-0a9b8c7d';

function point(path: string, ordinal: number, vector: number[]): VectorPoint {
  return { id: pointId(path, ordinal), vector, payload: { path, line: ordinal + 1, endLine: ordinal + 1, name: `n${ordinal}`, kind: 'function' } };
}

describe('createQdrantStore', () => {
  let qdrant: QdrantStub;
  beforeEach(async () => {
    qdrant = await startQdrantStub({ apiKey: KEY });
  });
  afterEach(async () => {
    await qdrant?.close();
  });

  it('should create the collection once, with a keyword index on path, and recreate it for another size', async () => {
    const store = createQdrantStore({ url: qdrant.url, apiKey: KEY, collection: 'codekb-test' });
    expect(await store.ensureCollection(3)).toBe('created');
    expect(await store.ensureCollection(3)).toBe('exists');
    const indexRequest = qdrant.requests.find((request) => request.url.startsWith('/collections/codekb-test/index'));
    expect(indexRequest?.body).toEqual({ field_name: 'path', field_schema: 'keyword' });
    await store.upsert([point('a.ts', 0, [1, 0, 0])]);
    expect(await store.ensureCollection(4)).toBe('created');
    expect(qdrant.points('codekb-test')).toEqual([]);
    expect(qdrant.requests.every((request) => request.headers['api-key'] === KEY)).toBe(true);
  });

  it('should answer the nearest points first with their payload, and delete by path', async () => {
    const store = createQdrantStore({ url: qdrant.url, apiKey: KEY, collection: 'codekb-test' });
    await store.ensureCollection(3);
    await store.upsert([point('a.ts', 0, [1, 0, 0]), point('a.ts', 1, [0, 1, 0]), point('b.ts', 0, [0.9, 0.1, 0])]);
    const nearest = await store.query([1, 0, 0], 2);
    expect(nearest.map((match) => `${match.payload.path}:${match.payload.line}`)).toEqual(['a.ts:1', 'b.ts:1']);
    expect(nearest[0]?.score).toBeCloseTo(1);
    await store.deleteByPaths(['a.ts']);
    expect(qdrant.points('codekb-test').map((p) => p.payload.path)).toEqual(['b.ts']);
  });

  it('should fail with VECTOR_STORE_FAILED on a wrong key, and never show the key', async () => {
    const wrong = 'qdrant-wrong-11223344';
    const error = await vectorFailureOf(createQdrantStore({ url: qdrant.url, apiKey: wrong, collection: 'c' }).ensureCollection(3));
    expect(error.code).toBe('VECTOR_STORE_FAILED');
    expect(error.message).toBe(`Qdrant at ${qdrant.url} could not check the collection in c (401): check CODEKB_QDRANT_API_KEY`);
    expect(`${error.message}${error.stack}`).not.toContain(wrong);
  });

  it('should fail with VECTOR_STORE_UNAVAILABLE when nothing listens', async () => {
    const error = await vectorFailureOf(createQdrantStore({ url: 'http://user:pw-in-url@127.0.0.1:9', apiKey: KEY, collection: 'c' }).query([1, 0, 0], 3));
    expect(error.code).toBe('VECTOR_STORE_UNAVAILABLE');
    expect(error.message).toMatch(/^Qdrant at http:\/\/\*\*\*@127\.0\.0\.1:9 unreachable \(could not query\): fetch failed/);
    expect(error.message).not.toContain(KEY);
    expect(error.message).not.toContain('pw-in-url');
  });
});
