import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { acquireLock, type Lock } from '@flotilla/kit/fs';
import createDebug from 'debug';
import { indexRepository, type IndexSummary } from '../index/indexer.js';
import { startIndexWatcher, type IndexWatcher, type IndexWatcherOptions } from './index.js';

const debug = createDebug('codekb:watch');

/** How often a reader checks whether the writer is gone (its lock then breaks: the holder's pid is dead). */
const TAKEOVER_MS = 2000;

export interface IndexWriterRoleOptions extends IndexWatcherOptions {
  /** Told when this process becomes the writer, and what failed in the background. */
  note?: (message: string) => void;
  /** Called when the writer's first incremental run has brought the index up to date. */
  onUpToDate?: (summary: IndexSummary) => void;
  takeoverMs?: number;
}

/** This process's part in keeping an index fresh: the one writer, or a reader waiting to take over. */
export interface IndexWriterRole extends AsyncDisposable {
  isWriter(): boolean;
  close(): Promise<void>;
}

/** The lock naming the one process that writes an index; `indexRepository` runs take `<db>.lock` per run. */
export function writerLockPath(dbPath: string): string {
  return `${dbPath}.writer`;
}

/**
 * Takes an index's writer lock without waiting. The holder brings the index up to date (one
 * incremental run) and then keeps it fresh with a watcher; every other process only reads it, and
 * retries the lock every `takeoverMs` so that one of them takes over when the writer exits. An
 * index that does not exist yet is left to `codekb index`; the first retry after it appears claims it.
 *
 * @example
 * await using role = await claimIndexWriter({ root, dbPath });
 * role.isWriter(); // true in exactly one process per index
 */
export async function claimIndexWriter(options: IndexWriterRoleOptions): Promise<IndexWriterRole> {
  const note = options.note ?? ((message: string) => debug(message));
  let lock: Lock | undefined;
  let watcher: IndexWatcher | undefined;
  let initial: Promise<void> = Promise.resolve();
  let closed = false;
  let claiming: Promise<void> | undefined;
  const tryClaim = async (): Promise<void> => {
    // The writer builds a missing index too, so `claude mcp add codekb -- codekb serve` is the whole set-up.
    mkdirSync(dirname(options.dbPath), { recursive: true });
    let taken: Lock;
    try {
      taken = await acquireLock(writerLockPath(options.dbPath), { timeoutMs: 0 });
    } catch {
      return; // held by a live writer
    }
    if (closed) return taken.release();
    try {
      watcher = await startIndexWatcher(options);
    } catch (error) {
      note(`cannot watch ${options.root}: ${(error as Error).message}`);
      return taken.release();
    }
    lock = taken;
    clearInterval(retry);
    note(`writing the index ${options.dbPath} and watching ${options.root}`);
    initial = indexRepository({ root: options.root, dbPath: options.dbPath }).then(
      (summary) => {
        note(`index up to date: ${summary.files} files, ${summary.updated} re-read, ${summary.removed} removed in ${summary.durationMs} ms`);
        options.onUpToDate?.(summary);
      },
      (error: Error) => note(`indexing failed: ${error.message}`),
    );
  };
  const retry = setInterval(() => {
    claiming ??= tryClaim().finally(() => (claiming = undefined));
  }, options.takeoverMs ?? TAKEOVER_MS);
  retry.unref();
  await tryClaim();
  const close = async (): Promise<void> => {
    closed = true;
    clearInterval(retry);
    await claiming;
    await watcher?.close();
    await initial;
    await lock?.release();
  };
  return { isWriter: () => lock !== undefined, close, [Symbol.asyncDispose]: close };
}
