import { QdrantClient } from '@qdrant/js-client-rest';
import createDebug from 'debug';
import { describeFailure, redact, VectorError } from './errors.js';
import { ChunkPayloadSchema, type CollectionState, type VectorMatch, type VectorStore } from './store.js';

const debug = createDebug('codekb:vector');

export interface QdrantStoreOptions {
  /** `http://127.0.0.1:6333`, or a cloud cluster's `https://…:6333`. */
  url: string;
  /** Sent as the `api-key` header; never logged, never in an error. */
  apiKey?: string;
  collection: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
}

/** Long enough for a large upsert batch on a loaded server; search has its own, shorter budget. */
const DEFAULT_TIMEOUT_MS = 30_000;
/** Points per upsert request: ~1.5 MB of JSON at 1536 dimensions. */
const UPSERT_BATCH = 128;
/** Paths per delete-by-filter request. */
const DELETE_BATCH = 256;

/**
 * A `VectorStore` on Qdrant through `@qdrant/js-client-rest`: one collection, cosine distance, a
 * keyword index on `path` so a file's points are deleted by filter.
 *
 * @example
 * const store = createQdrantStore({ url: 'http://127.0.0.1:6333', collection: 'codekb-app-1a2b3c4d' });
 * await store.ensureCollection(768);
 */
export function createQdrantStore(options: QdrantStoreOptions): VectorStore {
  // checkCompatibility off: it would ask the server's version in the background and log a warning.
  const client = new QdrantClient({ url: options.url, ...auth(options), timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, checkCompatibility: false });
  const { collection } = options;
  const call = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request();
    } catch (error) {
      throw storeError(what, error, options);
    }
  };
  const create = async (dimensions: number): Promise<void> => {
    await call('create the collection', () => client.createCollection(collection, { vectors: { size: dimensions, distance: 'Cosine' } }));
    await call('index the path field', () => client.createPayloadIndex(collection, { field_name: 'path', field_schema: 'keyword', wait: true }));
    debug('created collection %s (%d dimensions)', collection, dimensions);
  };
  return {
    collection,
    async ensureCollection(dimensions): Promise<CollectionState> {
      const { exists } = await call('check the collection', () => client.collectionExists(collection));
      if (exists) {
        const info = await call('read the collection', () => client.getCollection(collection));
        const vectors = info.config.params.vectors as { size?: number } | undefined;
        if (vectors?.size === dimensions) return 'exists';
        debug('collection %s holds %s-dimensional vectors, not %d: recreating it', collection, vectors?.size, dimensions);
        await call('drop the collection', () => client.deleteCollection(collection));
      }
      await create(dimensions);
      return 'created';
    },
    async dropCollection() {
      const { exists } = await call('check the collection', () => client.collectionExists(collection));
      if (exists) await call('drop the collection', () => client.deleteCollection(collection));
    },
    async deleteByPaths(paths) {
      for (let start = 0; start < paths.length; start += DELETE_BATCH) {
        const any = paths.slice(start, start + DELETE_BATCH);
        await call('delete points', () => client.delete(collection, { wait: true, filter: { must: [{ key: 'path', match: { any } }] } }));
      }
    },
    async upsert(points) {
      for (let start = 0; start < points.length; start += UPSERT_BATCH) {
        const batch = points.slice(start, start + UPSERT_BATCH).map((point) => ({ id: point.id, vector: point.vector, payload: point.payload }));
        await call('upsert points', () => client.upsert(collection, { wait: true, points: batch }));
      }
    },
    async query(vector, limit): Promise<VectorMatch[]> {
      const result = await call('query', () => client.query(collection, { query: [...vector], limit, with_payload: true }));
      const matches: VectorMatch[] = [];
      for (const point of result.points) {
        const payload = ChunkPayloadSchema.safeParse(point.payload);
        if (payload.success) matches.push({ score: point.score, payload: payload.data });
        else debug('point %s in %s has no chunk payload; skipped', point.id, collection);
      }
      return matches;
    },
  };
}

/**
 * The key as the client's `apiKey` (which warns on every start when the URL is plain http), except
 * for a loopback Qdrant, where plain http is the norm: there the same `api-key` header is set directly.
 */
function auth(options: QdrantStoreOptions): { apiKey?: string; headers?: Record<string, string> } {
  if (options.apiKey === undefined) return {};
  const host = new URL(options.url).hostname;
  const loopback = host === 'localhost' || host === '[::1]' || host.startsWith('127.');
  return loopback ? { headers: { 'api-key': options.apiKey } } : { apiKey: options.apiKey };
}

/** An HTTP answer from Qdrant becomes `VECTOR_STORE_FAILED`; no answer at all, `VECTOR_STORE_UNAVAILABLE`. */
function storeError(what: string, error: unknown, options: QdrantStoreOptions): VectorError {
  const where = `Qdrant at ${redact(options.url, [options.apiKey])}`;
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number') {
    const reason = (error as { data?: { status?: { error?: unknown } } }).data?.status?.error;
    const detail = status === 401 || status === 403 ? 'check CODEKB_QDRANT_API_KEY' : typeof reason === 'string' ? redact(reason, [options.apiKey]) : `HTTP ${status}`;
    return new VectorError('VECTOR_STORE_FAILED', `${where} could not ${what} in ${options.collection} (${status}): ${detail}`);
  }
  return new VectorError('VECTOR_STORE_UNAVAILABLE', `${where} unreachable (could not ${what}): ${describeFailure(error, [options.apiKey])}`);
}
