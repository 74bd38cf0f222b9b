/**
 * The messages between `parse-pool.ts` (the writing thread) and `parse-worker.ts`. Internal to
 * the index.
 */
import type { ReadOutcome } from './read-record.js';

/** What a worker is started with. */
export interface WorkerData {
  root: string;
  exitOnPath: string | undefined;
  /** Set when the package runs from its TypeScript sources: the entry `test-support/source-worker.mjs` imports. */
  sourceEntry?: string;
}
/** One file to read, to a worker. */
export interface WorkerJob {
  id: number;
  path: string;
  previousSha1: string | undefined;
}

/** From a worker: `ready` once loaded, then one `done` per job, in the order received. */
export type WorkerMessage = { type: 'ready' } | { type: 'done'; id: number; outcome: ReadOutcome; heapBytes: number };
