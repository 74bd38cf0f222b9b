import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { indexRepository } from '../../index/indexer.js';
import { tempFixtureRepo, type TempRepo } from '../../test-support/fixture.js';
import { createVectorBackend, type VectorBackend } from '../backend.js';
import type { VectorConfig } from '../config.js';
import { startEmbeddingsStub, type EmbeddingsStub } from './embeddings-stub.js';
import { startQdrantStub, type QdrantStub } from './qdrant-stub.js';

export const EMBEDDINGS_MODEL = 'hash-embed-256';
/** Keys the stubs demand; tests check they never surface in output, logs or errors. */
export const QDRANT_KEY = 'qdrant-key-5f2c9a7e1b';
export const EMBEDDINGS_KEY = 'sk-embed-8d41c0ffee93';

export interface VectorFixture extends AsyncDisposable {
  repo: TempRepo;
  qdrant: QdrantStub;
  embeddings: EmbeddingsStub;
  config: VectorConfig;
  /** The same configuration as `CODEKB_*` variables, for child processes. */
  env: Record<string, string>;
  backend: VectorBackend;
}

/**
 * A private copy of the fixture repository, indexed into SQLite, with a Qdrant stub and an
 * embeddings stub (both demanding API keys) and a backend configured for them. `extraFiles` are
 * written into the copy before it is indexed.
 */
export async function startVectorFixture(extraFiles: Record<string, string> = {}): Promise<VectorFixture> {
  const repo = tempFixtureRepo();
  for (const [path, text] of Object.entries(extraFiles)) {
    mkdirSync(dirname(join(repo.root, path)), { recursive: true });
    writeFileSync(join(repo.root, path), text);
  }
  await indexRepository({ root: repo.root, dbPath: repo.dbPath });
  const qdrant = await startQdrantStub({ apiKey: QDRANT_KEY });
  const embeddings = await startEmbeddingsStub({ apiKey: EMBEDDINGS_KEY, models: [EMBEDDINGS_MODEL, 'hash-embed-other'] });
  const config: VectorConfig = { qdrantUrl: qdrant.url, qdrantApiKey: QDRANT_KEY, embeddingsUrl: embeddings.baseUrl, embeddingsModel: EMBEDDINGS_MODEL, embeddingsApiKey: EMBEDDINGS_KEY };
  const env = {
    CODEKB_QDRANT_URL: qdrant.url,
    CODEKB_QDRANT_API_KEY: QDRANT_KEY,
    CODEKB_EMBEDDINGS_URL: embeddings.baseUrl,
    CODEKB_EMBEDDINGS_MODEL: EMBEDDINGS_MODEL,
    CODEKB_EMBEDDINGS_API_KEY: EMBEDDINGS_KEY,
  };
  const close = async (): Promise<void> => {
    await qdrant.close();
    await embeddings.close();
    repo[Symbol.dispose]();
  };
  return { repo, qdrant, embeddings, config, env, backend: createVectorBackend(config, { dbPath: repo.dbPath }), [Symbol.asyncDispose]: close };
}
