import { realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { acquireLock, type Lock } from '@flotilla/kit/fs';
import createDebug from 'debug';
import { openIndexDatabase } from '../store/schema.js';
import { chunkFile, type Chunk, type IndexedFile } from './chunks.js';
import type { Embedder } from './embedder.js';
import { VectorError } from './errors.js';
import type { VectorStore } from './store.js';
import { openVectorSyncState, type VectorSyncState } from './sync-state.js';

const debug = createDebug('codekb:vector');

/** Files chunked, embedded and upserted together: one embeddings request or a few per group. */
const FILES_PER_GROUP = 32;
/** A `codekb index` waits this long for a `codekb serve` that is embedding the same index. */
const DEFAULT_LOCK_TIMEOUT_MS = 120_000;

export interface VectorSyncOptions {
  /** The repository root. */
  root: string;
  /** The index file; it must have been built (`indexRepository`). */
  dbPath: string;
  embedder: Embedder;
  store: VectorStore;
  /** Names the store (its URL without credentials) in the sync state: a different one means re-embedding all. */
  storeLabel: string;
  /** Called after each group of files with how many of the changed files are done. */
  onProgress?: (done: number, total: number) => void;
  lockTimeoutMs?: number;
}

export interface VectorSyncSummary {
  collection: string;
  model: string;
  /** Files (re-)embedded in this pass. */
  embedded: number;
  /** Chunks (points) written in this pass. */
  chunks: number;
  /** Files whose points were deleted because they left the index. */
  removed: number;
  /** Files whose points were already up to date. */
  unchanged: number;
  /** Files changed on disk since they were indexed: left to the pass after their re-index. */
  deferred: number;
  durationMs: number;
}

/**
 * Brings an index's vectors up to date: embeds the chunks of every file whose content hash differs
 * from the one its points were made from (deleting its old points by path first), deletes the points
 * of files gone from the index, and records each file's hash in the index database. Only changed
 * files are embedded; a pass with nothing to do costs a couple of requests to Qdrant.
 *
 * @example
 * const summary = await syncVectors({ root, dbPath, embedder, store, storeLabel: 'http://127.0.0.1:6333' });
 * console.log(`${summary.embedded} files embedded, ${summary.chunks} chunks`);
 */
export async function syncVectors(options: VectorSyncOptions): Promise<VectorSyncSummary> {
  const started = performance.now();
  const root = await realpath(resolve(options.root));
  const dbPath = resolve(options.dbPath);
  using index = openIndexDatabase(dbPath);
  await using _lock = await lockVectors(dbPath, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  const state = openVectorSyncState(index.sqlite);
  const dimensions = await prepareTarget(state, options);
  const summary: VectorSyncSummary = { collection: options.store.collection, model: options.embedder.model, embedded: 0, chunks: 0, removed: 0, unchanged: 0, deferred: 0, durationMs: 0 };
  const removed = state.removedPaths();
  if (removed.length > 0) {
    await options.store.deleteByPaths(removed);
    state.forget(removed);
    summary.removed = removed.length;
  }
  const stale = state.staleFiles();
  for (let start = 0; start < stale.length; start += FILES_PER_GROUP) {
    const group = stale.slice(start, start + FILES_PER_GROUP);
    const written = await embedGroup(group, { ...options, root, sqlite: index.sqlite, state, dimensions });
    summary.embedded += written.files;
    summary.chunks += written.chunks;
    summary.deferred += group.length - written.files;
    options.onProgress?.(Math.min(start + FILES_PER_GROUP, stale.length), stale.length);
  }
  summary.unchanged = state.unchangedCount() - summary.embedded;
  summary.durationMs = Math.round(performance.now() - started);
  debug('synced %s: %d files embedded (%d chunks), %d removed in %d ms', summary.collection, summary.embedded, summary.chunks, summary.removed, summary.durationMs);
  return summary;
}

async function lockVectors(dbPath: string, timeoutMs: number): Promise<Lock> {
  try {
    return await acquireLock(`${dbPath}.vectors.lock`, { timeoutMs });
  } catch (error) {
    throw new VectorError('VECTOR_SYNC_BUSY', `another codekb process is embedding ${dbPath} (${(error as Error).message}); try again when it is done`);
  }
}

/**
 * Makes sure the collection exists for this model's vectors and that the recorded state describes
 * it; when the store, the model or the collection changed, drops it and forgets every file.
 * Resolves to the vectors' dimensions.
 */
async function prepareTarget(state: VectorSyncState, options: VectorSyncOptions): Promise<number> {
  const wanted = { store: options.storeLabel, model: options.embedder.model };
  const previous = state.target();
  const same = previous !== undefined && previous.store === wanted.store && previous.model === wanted.model && previous.dimensions !== undefined;
  if (!same) {
    // Points made elsewhere or by another model cannot be trusted: start the collection afresh.
    await options.store.dropCollection();
    state.clear();
  }
  const dimensions = same && previous.dimensions !== undefined ? previous.dimensions : await probeDimensions(options.embedder);
  if ((await options.store.ensureCollection(dimensions)) === 'created') state.clear();
  state.setTarget({ ...wanted, dimensions });
  return dimensions;
}

async function probeDimensions(embedder: Embedder): Promise<number> {
  const [vector] = await embedder.embed(['codekb dimension probe']);
  return vector?.length ?? 0;
}

interface GroupContext extends VectorSyncOptions {
  sqlite: ReturnType<typeof openIndexDatabase>['sqlite'];
  state: VectorSyncState;
  dimensions: number;
}

/** Embeds a group of files, replaces their points and records them; resolves to what was written. */
async function embedGroup(group: readonly IndexedFile[], context: GroupContext): Promise<{ files: number; chunks: number }> {
  const ready: { file: IndexedFile; chunks: Chunk[] }[] = [];
  for (const file of group) {
    const chunks = await chunkFile(context.sqlite, context.root, file);
    if (chunks === 'stale' || chunks === 'gone') debug('%s changed since it was indexed: deferred', file.path);
    else ready.push({ file, chunks });
  }
  if (ready.length === 0) return { files: 0, chunks: 0 };
  const chunks = ready.flatMap((entry) => entry.chunks);
  // Embed before touching the store: when the embedder fails, the old points stay searchable.
  const vectors = chunks.length === 0 ? [] : await context.embedder.embed(chunks.map((chunk) => chunk.text));
  const wrong = vectors.find((vector) => vector.length !== context.dimensions);
  if (wrong !== undefined) {
    throw new VectorError('EMBEDDINGS_FAILED', `${context.embedder.model} returned ${wrong.length}-dimensional vectors, the collection holds ${context.dimensions}`);
  }
  await context.store.deleteByPaths(ready.map((entry) => entry.file.path));
  await context.store.upsert(chunks.map((chunk, i) => ({ id: chunk.id, vector: vectors[i] ?? [], payload: chunk.payload })));
  context.state.markEmbedded(ready.map((entry) => ({ path: entry.file.path, sha1: entry.file.sha1, chunks: entry.chunks.length })));
  return { files: ready.length, chunks: chunks.length };
}
