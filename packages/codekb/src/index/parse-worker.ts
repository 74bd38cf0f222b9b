/**
 * A parse worker thread (started by `parse-pool.ts`): reads, hashes, sniffs, parses and extracts
 * one file per message, strictly in the order received, and posts each outcome back. It never
 * touches the index; the main thread is the only writer.
 *
 * One file per event-loop turn: tree-sitter's trees are freed by N-API finalizers, which Node 20
 * defers to the event loop (an immediate) after GC. A port delivers up to 1000 queued messages in
 * one go, so handling each message at once kept every tree of a run alive (RSS grew by ~0.3 MB per
 * file on zod); queueing the jobs and taking one per `setImmediate` keeps it flat.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { ParserPool } from './languages.js';
import type { WorkerData, WorkerJob, WorkerMessage } from './parse-protocol.js';
import { readRecord, RecentFiles } from './read-record.js';

/** The exit code of the test-only crash hook (`exitOnPath`). */
const EXIT_INJECTED = 70;

const port = parentPort;
if (port === null) throw new Error('parse-worker.js runs as a worker thread (see parse-pool.ts)');
const { root, exitOnPath } = workerData as WorkerData;
const parsers = new ParserPool();
const recent = new RecentFiles();

const queue: WorkerJob[] = [];
let head = 0;

const handleNext = (): void => {
  const job = queue[head++]!;
  if (head === queue.length) queue.length = head = 0;
  if (exitOnPath !== undefined && job.path === exitOnPath) process.exit(EXIT_INJECTED);
  const outcome = readRecord(root, job.path, parsers, job.previousSha1, recent);
  const message: WorkerMessage = { type: 'done', id: job.id, outcome, heapBytes: getHeapStatistics().used_heap_size };
  port.postMessage(message);
  if (head < queue.length) setImmediate(handleNext);
};

port.on('message', (job: WorkerJob) => {
  if (queue.push(job) - head === 1) setImmediate(handleNext);
});
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
