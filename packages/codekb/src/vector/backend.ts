import createDebug from 'debug';
import { collectionNameFor, type VectorConfig } from './config.js';
import { createOpenAiEmbedder, type Embedder } from './embedder.js';
import { isVectorError, redact } from './errors.js';
import { createQdrantStore } from './qdrant-store.js';
import type { VectorMatch, VectorStore } from './store.js';
import { syncVectors, type VectorSyncSummary } from './sync.js';

const debug = createDebug('codekb:vector');

/** The vector side of one index: its embedder and its collection, and what is done with them. */
export interface VectorBackend {
  readonly collection: string;
  readonly embedder: Embedder;
  readonly store: VectorStore;
  /** The chunks nearest to a query, nearest first. Throws a `VectorError` when a service fails. */
  query(text: string, limit: number, options?: { signal?: AbortSignal }): Promise<VectorMatch[]>;
  /** Embeds what changed in the index since the last pass (see `syncVectors`). */
  sync(options: { root: string; onProgress?: (done: number, total: number) => void }): Promise<VectorSyncSummary>;
}

export interface VectorBackendParts {
  /** The index file; it names the collection and holds the sync state. */
  dbPath: string;
  /** Replace the OpenAI-compatible client (tests, other providers). */
  embedder?: Embedder;
  /** Replace the Qdrant store. */
  store?: VectorStore;
}

/**
 * The vector backend configured by `config` for the index at `dbPath`: Qdrant at `qdrantUrl`, in a
 * collection named after the index, with embeddings from `embeddingsUrl`.
 *
 * @example
 * const config = vectorConfigOrThrow(process.env);
 * const vectors = config && createVectorBackend(config, { dbPath });
 * await vectors?.sync({ root });
 */
export function createVectorBackend(config: VectorConfig, parts: VectorBackendParts): VectorBackend {
  const collection = collectionNameFor(parts.dbPath);
  const embedder = parts.embedder ?? createOpenAiEmbedder({ url: config.embeddingsUrl, model: config.embeddingsModel, apiKey: config.embeddingsApiKey });
  const store = parts.store ?? createQdrantStore({ url: config.qdrantUrl, apiKey: config.qdrantApiKey, collection });
  const storeLabel = redact(config.qdrantUrl, [config.qdrantApiKey]);
  return {
    collection,
    embedder,
    store,
    async query(text, limit, options = {}) {
      const [vector] = await embedder.embed([text], options);
      return vector === undefined ? [] : store.query(vector, limit);
    },
    sync: ({ root, onProgress }) => syncVectors({ root, dbPath: parts.dbPath, embedder, store, storeLabel, onProgress }),
  };
}

export interface VectorRefresher extends AsyncDisposable {
  /** Asks for a pass; passes never overlap, and asks during one make exactly one more. */
  refresh(): void;
  /** Waits for the pass in flight; no more start. */
  close(): Promise<void>;
}

/**
 * Keeps an index's vectors following its re-indexes (the serve process's watcher): each `refresh()`
 * runs a `sync` pass unless one is running, in which case one more runs after it. Failures are
 * told to `note` and left for the next pass; search meanwhile falls back to BM25 when it must.
 *
 * @example
 * const refresher = createVectorRefresher(vectors, { root, note: (m) => console.error(m) });
 * refresher.refresh(); // after each re-index
 */
export function createVectorRefresher(backend: VectorBackend, options: { root: string; note: (message: string) => void }): VectorRefresher {
  let running: Promise<void> | undefined;
  let again = false;
  let closed = false;
  const pass = async (): Promise<void> => {
    do {
      again = false;
      try {
        const summary = await backend.sync({ root: options.root });
        if (summary.embedded > 0 || summary.removed > 0) {
          options.note(`vectors up to date: ${summary.embedded} files embedded (${summary.chunks} chunks), ${summary.removed} removed in ${summary.durationMs} ms`);
        }
      } catch (error) {
        const message = isVectorError(error) ? `${error.code}: ${error.message}` : (error as Error).message;
        debug('vector refresh failed: %s', message);
        options.note(`vector refresh failed (search falls back to BM25 where it must): ${message}`);
      }
    } while (again && !closed);
  };
  const close = async (): Promise<void> => {
    closed = true;
    await running;
  };
  return {
    refresh() {
      if (closed) return;
      if (running !== undefined) {
        again = true;
        return;
      }
      running = pass().finally(() => (running = undefined));
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
