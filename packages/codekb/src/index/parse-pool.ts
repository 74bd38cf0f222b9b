import { availableParallelism } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import createDebug from 'debug';
import { ParserPool } from './languages.js';
import { workerEntry } from '../worker-entry.js';
import type { WorkerData, WorkerJob, WorkerMessage } from './parse-protocol.js';
import { failedRecord, readRecord, RecentFiles, type ReadOutcome } from './read-record.js';

const debug = createDebug('codekb:index');

/** Jobs handed ahead to one worker, so it keeps parsing while the main thread writes a batch. */
const WORKER_DEPTH = 32;
/**
 * Per worker, how far past the outcome the caller waits for jobs are handed out: bounds the
 * records held in memory when the writer is the slower side.
 */
const WINDOW_PER_WORKER = 64;
/** A file that killed a worker is tried once more, alone in a fresh worker, before it is recorded as an error. */
const CRASH_ATTEMPTS = 2;
/**
 * A worker is recycled for the process's RSS only after this many files. RSS is the process's
 * (main thread, SQLite and every worker), and a new worker reuses the malloc arena of the one it
 * replaces, so recycling cannot always bring it down: this bounds what it costs then (a worker
 * start, ~0.1–0.3 s, per 500 files of each worker).
 */
const MIN_FILES_BEFORE_RSS_RECYCLE = 500;
/** Reading the process's RSS costs ~40 µs (it reads /proc): a worker's files check it every so many. */
const RSS_CHECK_EVERY = 16;

/** Default worker count: the machine's cores, at most 2 (the main thread writes the index meanwhile). */
export const defaultWorkers = (): number => Math.min(2, availableParallelism());
/**
 * Files a worker parses before it is replaced, releasing the native memory tree-sitter has not
 * freed yet. The process's RSS (below) is what bounds memory; each replacement costs a worker start
 * and its JIT warm-up again (whole `node_modules/.pnpm`: 4 replacements at 2,000 files, V8's
 * compiler threads ~30 % more CPU; peak RSS 394–427 MiB either way), so this is only a backstop.
 */
export const DEFAULT_RECYCLE_AFTER_FILES = 20_000;
/** A worker whose V8 heap is above this after a file is replaced. */
export const DEFAULT_RECYCLE_ABOVE_HEAP_BYTES = 256 * 1024 * 1024;
/** A worker is replaced once the whole process (main thread, SQLite, every worker) is above this RSS (the bound is 500 MB). */
export const DEFAULT_RECYCLE_ABOVE_RSS_BYTES = 450 * 1024 * 1024;

/** One file to read: its repo-relative path and the hash the index holds for it. */
export interface ParseJob {
  path: string;
  previousSha1: string | undefined;
}

export interface ParsePoolOptions {
  /** The repository root (real path). */
  root: string;
  /** Worker threads, at least 1. */
  workers: number;
  /** Default `DEFAULT_RECYCLE_AFTER_FILES`. */
  recycleAfterFiles?: number;
  /** Default `DEFAULT_RECYCLE_ABOVE_HEAP_BYTES`. */
  recycleAboveHeapBytes?: number;
  /** Default `DEFAULT_RECYCLE_ABOVE_RSS_BYTES`. */
  recycleAboveRssBytes?: number;
  /** Test-only fault injection: a worker handed this path exits at once, as if the file had crashed it. */
  exitOnPath?: string;
}

/** What a run did with its workers (for logs and tests). */
export interface ParsePoolStats {
  started: number;
  recycled: number;
  crashed: number;
}

interface Slot {
  worker: Worker;
  /** Job ids sent and not answered, oldest first; the worker handles them in this order. */
  inflight: number[];
  files: number;
  ready: boolean;
  /** Gets no more jobs; terminated once `inflight` is empty (its replacement is already started). */
  retiring: boolean;
  /** Terminated on purpose: its exit is not a crash. */
  stopping: boolean;
  /** Holds a job that crashed a worker before: nothing else is sent to it until that job is answered. */
  solo: boolean;
  error: Error | undefined;
}

type Result = { outcome: ReadOutcome } | { crashed: string };

/**
 * Reads and parses `jobs` on the calling thread, yielding each outcome in job order, and the
 * event loop between files (which also lets N-API free each file's tree: see parse-worker.ts).
 * For `workers: 0` and small runs.
 */
export async function* parseInThread(jobs: readonly ParseJob[], root: string): AsyncGenerator<ReadOutcome> {
  const parsers = new ParserPool();
  const recent = new RecentFiles();
  for (const job of jobs) {
    yield readRecord(root, job.path, parsers, job.previousSha1, recent);
    await nextTurn();
  }
}

/**
 * Reads, hashes, sniffs and parses `jobs` in worker threads and yields their outcomes **in job
 * order**, so what the caller writes is the same as a sequential run (see `ParseWorkers`). Workers
 * start on the first `next()` and are terminated when the generator finishes or is left.
 *
 * @example
 * const stats = { started: 0, recycled: 0, crashed: 0 };
 * for await (const outcome of parseInWorkers(jobs, { root, workers: 2 }, stats)) write(outcome);
 */
export async function* parseInWorkers(jobs: readonly ParseJob[], options: ParsePoolOptions, stats?: ParsePoolStats): AsyncGenerator<ReadOutcome> {
  await using workers = new ParseWorkers(options, stats);
  yield* workers.outcomes(jobs);
}

/**
 * Parse worker threads, started when constructed — before their jobs are known, so they load
 * tree-sitter and the grammars while the caller opens the index and reads its hashes. Workers are
 * replaced after `recycleAfterFiles` files or when their heap (or the process's RSS) passes a
 * threshold; a worker that dies takes no file with it: the file it was on is tried once more alone
 * in a fresh worker, then recorded as an `error` (text kept), and the files queued behind it go to
 * the next worker. Dispose of it (`await using`) to terminate the workers, whether or not
 * `outcomes` ran.
 *
 * @example
 * await using workers = new ParseWorkers({ root, workers: 2 });
 * for await (const outcome of workers.outcomes(await jobsToDo())) write(outcome);
 */
export class ParseWorkers implements AsyncDisposable {
  readonly #run: ParseRun;
  readonly #root: string;
  #started = false;

  constructor(options: ParsePoolOptions, stats?: ParsePoolStats) {
    if (!(options.workers >= 1)) throw new Error(`ParseWorkers needs at least 1 worker, got ${options.workers}`);
    if (!((options.recycleAfterFiles ?? 1) >= 1)) throw new Error(`recycleAfterFiles must be at least 1, got ${options.recycleAfterFiles}`);
    this.#root = options.root;
    this.#run = new ParseRun(options, stats ?? { started: 0, recycled: 0, crashed: 0 });
  }

  /** Yields the outcome of each of `jobs` in job order. Once per instance. */
  async *outcomes(jobs: readonly ParseJob[]): AsyncGenerator<ReadOutcome> {
    if (this.#started) throw new Error('ParseWorkers.outcomes runs once');
    this.#started = true;
    this.#run.start(jobs);
    for (let id = 0; id < jobs.length; id++) {
      const result = await this.#run.take(id);
      yield 'crashed' in result ? failedRecord(this.#root, jobs[id]!.path, result.crashed) : result.outcome;
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.#run.stop();
  }
}

/** One `parseInWorkers` run: its workers, the jobs handed out and the outcomes not yet taken. */
class ParseRun {
  #jobs: readonly ParseJob[] = [];
  readonly #options: ParsePoolOptions;
  readonly #stats: ParsePoolStats;
  readonly #recycleAfterFiles: number;
  readonly #window: number;
  readonly #entry = workerEntry(import.meta.url, 'parse-worker');
  readonly #slots = new Set<Slot>();
  readonly #results = new Map<number, Result>();
  /** Job ids that killed a worker, with how many times. */
  readonly #attempts = new Map<number, number>();
  /** Ids taken back from dead workers, ascending; they go out before `#next`. */
  #requeued: number[] = [];
  #next = 0;
  #delivered = 0;
  #fatal: Error | undefined;
  #wake: (() => void) | undefined;

  /** Starts `options.workers` workers: they get jobs once `start` gives them. */
  constructor(options: ParsePoolOptions, stats: ParsePoolStats) {
    this.#options = options;
    this.#stats = stats;
    this.#recycleAfterFiles = options.recycleAfterFiles ?? DEFAULT_RECYCLE_AFTER_FILES;
    this.#window = WINDOW_PER_WORKER * options.workers;
    for (let n = 0; n < options.workers; n++) this.#spawn();
  }

  /** Hands `jobs` out (a worker started for a run with fewer jobs than workers stays idle). */
  start(jobs: readonly ParseJob[]): void {
    this.#jobs = jobs;
    this.#ensureWorkers();
    this.#dispatch();
  }

  /** The outcome of job `id` (taken in id order), once a worker has sent it. */
  async take(id: number): Promise<Result> {
    for (;;) {
      if (this.#fatal !== undefined) throw this.#fatal;
      const result = this.#results.get(id);
      if (result !== undefined) {
        this.#results.delete(id);
        this.#delivered = id + 1;
        this.#dispatch();
        return result;
      }
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Terminates every worker and waits for them to exit. */
  async stop(): Promise<void> {
    const exits = [...this.#slots].map((slot) => new Promise((resolve) => slot.worker.once('exit', resolve)));
    for (const slot of this.#slots) this.#terminate(slot);
    await Promise.all(exits);
    debug('parse workers: %d started, %d recycled, %d crashed', this.#stats.started, this.#stats.recycled, this.#stats.crashed);
  }

  #notify(): void {
    const resolve = this.#wake;
    this.#wake = undefined;
    resolve?.();
  }

  #workLeft(): boolean {
    return this.#requeued.length > 0 || this.#next < this.#jobs.length;
  }

  /** Keeps `workers` live (not retiring) workers while there is work to hand out. */
  #ensureWorkers(): void {
    let active = [...this.#slots].filter((slot) => !slot.retiring && !slot.stopping).length;
    for (; active < Math.min(this.#options.workers, this.#jobs.length) && this.#workLeft(); active++) this.#spawn();
  }

  #spawn(): void {
    const workerData: WorkerData = { root: this.#options.root, exitOnPath: this.#options.exitOnPath, sourceEntry: this.#entry.sourceEntry };
    // No inherited execArgv: flags such as --input-type (node -e) make a worker fail to start.
    const worker = new Worker(this.#entry.url, { workerData, execArgv: [] });
    const slot: Slot = { worker, inflight: [], files: 0, ready: false, retiring: false, stopping: false, solo: false, error: undefined };
    worker.on('message', (message: WorkerMessage) => this.#onMessage(slot, message));
    worker.on('messageerror', (error) => this.#fail(error));
    worker.on('error', (error) => (slot.error = error));
    worker.on('exit', (code) => this.#onExit(slot, code));
    this.#slots.add(slot);
    this.#stats.started++;
  }

  #send(slot: Slot, id: number): void {
    slot.inflight.push(id);
    const job: WorkerJob = { id, path: this.#jobs[id]!.path, previousSha1: this.#jobs[id]!.previousSha1 };
    slot.worker.postMessage(job);
  }

  #terminate(slot: Slot): void {
    slot.stopping = true;
    void slot.worker.terminate();
  }

  #fail(error: Error): void {
    this.#fatal ??= error;
    this.#notify();
  }

  #onMessage(slot: Slot, message: WorkerMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      return;
    }
    const id = slot.inflight.shift();
    if (id !== message.id) return this.#fail(new Error(`a parse worker answered job ${message.id}, expected ${id}`));
    slot.solo = false;
    slot.files++;
    this.#results.set(id, { outcome: message.outcome });
    if (!slot.retiring) this.#maybeRetire(slot, message.heapBytes);
    if (slot.retiring && slot.inflight.length === 0) this.#terminate(slot);
    this.#dispatch();
    this.#notify();
  }

  /** Retires a worker past a recycling threshold; its replacement starts at once. */
  #maybeRetire(slot: Slot, heapBytes: number): void {
    const { recycleAboveHeapBytes = DEFAULT_RECYCLE_ABOVE_HEAP_BYTES, recycleAboveRssBytes = DEFAULT_RECYCLE_ABOVE_RSS_BYTES } = this.#options;
    let why: string | undefined;
    if (slot.files >= this.#recycleAfterFiles) why = 'its file limit';
    else if (heapBytes >= recycleAboveHeapBytes) why = `a heap of ${heapBytes} bytes`;
    else if (slot.files >= MIN_FILES_BEFORE_RSS_RECYCLE && slot.files % RSS_CHECK_EVERY === 0 && process.memoryUsage.rss() >= recycleAboveRssBytes) why = 'the process RSS';
    if (why === undefined) return;
    debug('recycling a parse worker after %d files (%s)', slot.files, why);
    slot.retiring = true;
    this.#stats.recycled++;
    this.#ensureWorkers();
  }

  /**
   * A worker that was not terminated on purpose died: the job it was on (the oldest unanswered,
   * as it handles them in order) gets one more try alone, or an error record; the jobs behind it
   * go back to the queue. A worker that dies before it is ready fails the run (a broken install).
   */
  #onExit(slot: Slot, code: number): void {
    this.#slots.delete(slot);
    if (slot.stopping) return;
    const reason = slot.error?.message ?? `exit code ${code}`;
    if (!slot.ready) return this.#fail(new Error(`a parse worker failed to start: ${reason}`, { cause: slot.error }));
    this.#stats.crashed++;
    const [culprit, ...back] = slot.inflight;
    debug('a parse worker died (%s) on %s', reason, culprit === undefined ? 'no file' : this.#jobs[culprit]!.path);
    if (culprit !== undefined) {
      const tries = (this.#attempts.get(culprit) ?? 0) + 1;
      this.#attempts.set(culprit, tries);
      if (tries >= CRASH_ATTEMPTS) this.#results.set(culprit, { crashed: `the parse worker died on this file (${reason})` });
      else back.unshift(culprit);
    }
    this.#requeued = [...back, ...this.#requeued].sort((a, b) => a - b);
    this.#ensureWorkers();
    this.#dispatch();
    this.#notify();
  }

  /**
   * Hands out jobs in id order, up to `WORKER_DEPTH` per worker and no more than it may take before
   * it is recycled, within `#window` of the job the caller waits for. A job that killed a worker
   * goes alone to a worker with nothing else in flight.
   */
  #dispatch(): void {
    for (const slot of this.#slots) {
      if (slot.retiring || slot.stopping) continue;
      while (!slot.solo && slot.inflight.length < WORKER_DEPTH && slot.files + slot.inflight.length < this.#recycleAfterFiles) {
        const id = this.#requeued[0] ?? (this.#next < this.#jobs.length && this.#next < this.#delivered + this.#window ? this.#next : undefined);
        if (id === undefined) return;
        const suspect = this.#attempts.has(id);
        if (suspect && slot.inflight.length > 0) break;
        if (id === this.#requeued[0]) this.#requeued.shift();
        else this.#next++;
        slot.solo = suspect;
        this.#send(slot, id);
        // Files of the same name stem (`api.d.ts` after `api.d.cts`) follow to the same worker,
        // which reuses the extraction of an identical one (read-record.ts, RecentFiles).
        const stem = stemOf(this.#jobs[id]!.path);
        while (!suspect && this.#next < this.#jobs.length && this.#next < this.#delivered + this.#window && stemOf(this.#jobs[this.#next]!.path) === stem) {
          this.#send(slot, this.#next++);
        }
      }
    }
  }
}

/** A path up to its file name's first dot (`src/api.d.cts` → `src/api`). */
function stemOf(path: string): string {
  const dot = path.indexOf('.', path.lastIndexOf('/') + 1);
  return dot === -1 ? path : path.slice(0, dot);
}
