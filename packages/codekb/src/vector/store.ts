import { z } from 'zod';

/** What each point carries: where its chunk is, so a hit cites `path:line`. */
export const ChunkPayloadSchema = z.object({
  /** Repo-relative, `/`-separated. */
  path: z.string().min(1),
  /** 1-based first line of the chunk (a symbol's declaration line). */
  line: z.number().int().min(1),
  endLine: z.number().int().min(1),
  /** The symbol's name, or the file's name for a text chunk. */
  name: z.string(),
  /** The symbol's kind (`function`, `class`, `section`, …), or `text`. */
  kind: z.string(),
});
export type ChunkPayload = z.infer<typeof ChunkPayloadSchema>;

export interface VectorPoint {
  /** A UUID derived from the chunk, so re-upserting the same chunk overwrites it. */
  id: string;
  vector: number[];
  payload: ChunkPayload;
}

export interface VectorMatch {
  /** Cosine similarity, higher is closer. */
  score: number;
  payload: ChunkPayload;
}

/** What `ensureCollection` found: `created` means every file must be (re-)embedded. */
export type CollectionState = 'created' | 'exists';

/**
 * One collection of chunk vectors (one per repository index), with cosine similarity. Every method
 * throws a `VectorError` (`VECTOR_STORE_UNAVAILABLE` or `VECTOR_STORE_FAILED`) when it cannot finish.
 */
export interface VectorStore {
  readonly collection: string;
  /** Creates the collection for vectors of this size when it is missing or sized for another model. */
  ensureCollection(dimensions: number): Promise<CollectionState>;
  /** Drops the collection and every point in it (a missing one is fine). */
  dropCollection(): Promise<void>;
  /** Deletes every point whose payload `path` is one of `paths`. */
  deleteByPaths(paths: readonly string[]): Promise<void>;
  upsert(points: readonly VectorPoint[]): Promise<void>;
  /** The `limit` points nearest to `vector`, nearest first. */
  query(vector: readonly number[], limit: number): Promise<VectorMatch[]>;
}
