import { describe, expect, it } from 'vitest';
import { collectionNameFor, resolveVectorConfig, vectorConfigOrThrow } from './config.js';
import { isVectorError } from './errors.js';

const FULL = {
  CODEKB_QDRANT_URL: 'http://127.0.0.1:6333',
  CODEKB_EMBEDDINGS_URL: 'http://127.0.0.1:8080/v1',
  CODEKB_EMBEDDINGS_MODEL: 'nomic-embed-text',
};

describe('resolveVectorConfig', () => {
  it('should be off (BM25 only) when nothing is set, API keys alone included', () => {
    expect(resolveVectorConfig({})).toEqual({ ok: true, value: undefined });
    expect(resolveVectorConfig({ CODEKB_EMBEDDINGS_API_KEY: 'sk-1', CODEKB_QDRANT_URL: '  ' })).toEqual({ ok: true, value: undefined });
  });

  it('should read the environment, with flags taking precedence', () => {
    const env = { ...FULL, CODEKB_QDRANT_API_KEY: 'qk', CODEKB_EMBEDDINGS_API_KEY: 'sk-1' };
    expect(resolveVectorConfig(env)).toEqual({
      ok: true,
      value: { qdrantUrl: FULL.CODEKB_QDRANT_URL, qdrantApiKey: 'qk', embeddingsUrl: FULL.CODEKB_EMBEDDINGS_URL, embeddingsModel: 'nomic-embed-text', embeddingsApiKey: 'sk-1' },
    });
    const flagged = resolveVectorConfig(env, { qdrantUrl: 'https://q.example:6333', embeddingsModel: 'text-embedding-3-small' });
    expect(flagged.ok && flagged.value).toMatchObject({ qdrantUrl: 'https://q.example:6333', embeddingsModel: 'text-embedding-3-small' });
  });

  it('should name every missing or malformed setting, with its variable and flag', () => {
    const result = resolveVectorConfig({ CODEKB_QDRANT_URL: 'localhost:6333' });
    expect(result).toEqual({
      ok: false,
      issues: [
        'CODEKB_QDRANT_URL (or --qdrant-url) must be an http(s) URL such as http://127.0.0.1:6333 (got "localhost:6333")',
        'CODEKB_EMBEDDINGS_URL (or --embeddings-url) is required: vector search needs a Qdrant URL, an embeddings URL and a model',
        'CODEKB_EMBEDDINGS_MODEL (or --embeddings-model) is required: vector search needs a Qdrant URL, an embeddings URL and a model',
      ],
    });
  });

  it('should never echo an API key or URL credentials in an issue', () => {
    const result = resolveVectorConfig({ ...FULL, CODEKB_QDRANT_URL: 'ftp://admin:hunter2@q', CODEKB_EMBEDDINGS_API_KEY: 'sk-has space' });
    expect(result.ok).toBe(false);
    const text = JSON.stringify(result);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('sk-has');
    expect(text).toContain('CODEKB_EMBEDDINGS_API_KEY must not contain whitespace');
  });

  it('should throw one VECTOR_CONFIG_INVALID error listing the issues', () => {
    let thrown: unknown;
    try {
      vectorConfigOrThrow({ CODEKB_EMBEDDINGS_MODEL: 'm' });
    } catch (error) {
      thrown = error;
    }
    expect(isVectorError(thrown) && thrown.code).toBe('VECTOR_CONFIG_INVALID');
    expect((thrown as Error).message).toMatch(/^invalid vector search configuration:\n {2}- CODEKB_QDRANT_URL \(or --qdrant-url\) is required/);
  });
});

describe('collectionNameFor', () => {
  it('should name the collection after the index file, told apart by its full path', () => {
    expect(collectionNameFor('/home/me/.flotilla/codekb/app-1a2b3c4d.db')).toMatch(/^codekb-app-1a2b3c4d-[0-9a-f]{8}$/);
    expect(collectionNameFor('/a/index.db')).not.toBe(collectionNameFor('/b/index.db'));
    expect(collectionNameFor('/a/index.db')).toBe(collectionNameFor('/a/./index.db'));
  });
});
