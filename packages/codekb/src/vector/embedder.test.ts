import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAiEmbedder } from './embedder.js';
import { startEmbeddingsStub, type EmbeddingsStub } from './test-support/embeddings-stub.js';
import { hashingEmbedding } from './test-support/hashing-embedding.js';
import { startJsonServer } from './test-support/json-server.js';
import { vectorFailureOf } from './test-support/vector-failure.js';

const KEY = 'sk-test-7c1e55aa90';

describe('createOpenAiEmbedder', () => {
  let stub: EmbeddingsStub;
  beforeAll(async () => {
    stub = await startEmbeddingsStub({ apiKey: KEY, maxInputs: 3 });
  });
  afterAll(async () => {
    await stub?.close();
  });

  it('should post batches to {url}/embeddings with the model and key, keeping the input order', async () => {
    const embedder = createOpenAiEmbedder({ url: `${stub.baseUrl}/`, model: 'hash-embed-256', apiKey: KEY, batchSize: 3 });
    const texts = ['parse config', 'open socket', 'retry backoff', 'circle area', 'point distance', 'route handler', 'list join'];
    const from = stub.requests.length;
    const vectors = await embedder.embed(texts);
    const requests = stub.requests.slice(from);
    expect(requests.map((request) => (request.body as { input: string[] }).input.length)).toEqual([3, 3, 1]);
    expect(requests[0]).toMatchObject({ method: 'POST', url: '/v1/embeddings', body: { model: 'hash-embed-256', encoding_format: 'float' } });
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(vectors).toEqual(texts.map((text) => hashingEmbedding(text, 256)));
  });

  it('should refuse with EMBEDDINGS_FAILED on a wrong key, without the key or the echoing body', async () => {
    const wrong = 'sk-wrong-31337abcdef';
    const error = await vectorFailureOf(createOpenAiEmbedder({ url: stub.baseUrl, model: 'hash-embed-256', apiKey: wrong }).embed(['x']));
    expect(error.code).toBe('EMBEDDINGS_FAILED');
    expect(error.message).toBe(`embeddings endpoint ${stub.baseUrl}/embeddings refused the request (401): check CODEKB_EMBEDDINGS_API_KEY`);
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(wrong);
  });

  it("should pass on the server's reason for other errors", async () => {
    const error = await vectorFailureOf(createOpenAiEmbedder({ url: stub.baseUrl, model: 'no-such-model', apiKey: KEY }).embed(['x']));
    expect(error.message).toMatch(/answered 404: The model `no-such-model` does not exist/);
  });

  it('should say EMBEDDINGS_UNAVAILABLE when nothing listens, without the key', async () => {
    const error = await vectorFailureOf(createOpenAiEmbedder({ url: 'http://127.0.0.1:9/v1', model: 'm', apiKey: KEY }).embed(['x']));
    expect(error.code).toBe('EMBEDDINGS_UNAVAILABLE');
    expect(error.message).toMatch(/^embeddings endpoint http:\/\/127\.0\.0\.1:9\/v1\/embeddings unreachable: fetch failed/);
    expect(error.message).not.toContain(KEY);
  });

  it('should reject a body that is not an embeddings list', async () => {
    await using odd = await startJsonServer(() => ({ status: 200, body: { data: [{ index: 0 }] } }));
    const error = await vectorFailureOf(createOpenAiEmbedder({ url: `${odd.url}/v1`, model: 'm' }).embed(['x']));
    expect(error).toMatchObject({ code: 'EMBEDDINGS_FAILED', message: `embeddings endpoint ${odd.url}/v1/embeddings did not answer with an embeddings list` });
  });
});
