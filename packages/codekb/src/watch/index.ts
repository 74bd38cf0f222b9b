import { realpathSync, watch, type FSWatcher, type Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import createDebug from 'debug';
import { reindexFiles, type ReindexResult } from '../index/indexer.js';
import { gitFilesUnder } from '../index/walk.js';
import { createIgnoreRules, type IgnoreRules } from './ignore-rules.js';

const debug = createDebug('codekb:watch');

/** Quiet time before a batch is indexed: an editor's save (write, rename, chmod) lands as one batch. */
const DEBOUNCE_MS = 50;
/** A file written without pause (a log, a build) still gets indexed: no batch waits longer than this. */
const MAX_WAIT_MS = 500;
/** After a failed batch (the index lock held by a long `codekb index`), its paths are retried this much later. */
const RETRY_MS = 1000;

export interface IndexWatcherOptions {
  /** The repository root. */
  root: string;
  /** The index file; it must exist (run `indexRepository` first, or concurrently). */
  dbPath: string;
  /** Called after each batch is committed, with what changed and how long the batch took. */
  onIndexed?: (batch: IndexedBatch) => void;
  /** Called when a batch fails (its paths are retried); default: a `codekb:watch` debug line. */
  onError?: (error: Error) => void;
  debounceMs?: number;
}

export interface IndexedBatch extends ReindexResult {
  /** From the first event of the batch to its commit (debounce included). */
  latencyMs: number;
  /** Re-reading, parsing and committing the batch alone (no watcher, no debounce). */
  indexMs: number;
}

export interface IndexWatcher extends AsyncDisposable {
  /** `recursive`: one native recursive watch (macOS, Windows); `per-directory`: one watch per non-ignored directory. */
  readonly mode: 'recursive' | 'per-directory';
  /** Stops watching and waits for a batch in flight. */
  close(): Promise<void>;
}

/**
 * Watches a repository and re-indexes the files that change, appear or disappear, shortly after
 * they do — only those paths, compared by content hash, never a walk. The repository's ignore rules
 * apply to events. Where `fs.watch` is natively recursive one watch covers the tree; elsewhere
 * (Linux, whose Node 20 emulation watches every file, ignored ones included) each non-ignored
 * directory gets its own watch.
 *
 * @example
 * await using watcher = await startIndexWatcher({ root, dbPath, onIndexed: (b) => console.log(b.updated) });
 */
export async function startIndexWatcher(options: IndexWatcherOptions): Promise<IndexWatcher> {
  const root = realpathSync(resolve(options.root));
  const dbPath = resolve(options.dbPath);
  const rules = createIgnoreRules(root);
  const queue = createBatchQueue(root, dbPath, options);
  const recursive = process.platform === 'darwin' || process.platform === 'win32' ? recursiveWatch(root, queue) : undefined;
  const tree = recursive === undefined ? createTreeWatcher(root, rules, queue) : undefined;
  queue.expand = async (path, info, renamed) => {
    if (info === undefined) {
      tree?.unwatch(path);
      return [path];
    }
    if (!info.isDirectory()) return rules.ignores(path, false) ? [] : [path];
    if (rules.ignores(path, true)) return [];
    if (tree === undefined) return listTree(root, path, rules);
    // A directory created, moved in, or deleted and made again: (re)watch it and index what it holds.
    if (renamed) tree.unwatch(path);
    return tree.watchDir(path);
  };
  queue.rescan = async (dir) => {
    await tree?.rescan(dir);
    return (await gitFilesUnder(root, dir)) ?? (await listTree(root, dir, rules));
  };
  queue.rules = rules;
  if (tree !== undefined) await tree.watchDir('');
  debug('watching %s (%s)', root, recursive === undefined ? 'per-directory' : 'recursive');
  const close = async (): Promise<void> => {
    recursive?.close();
    tree?.close();
    await queue.close();
  };
  return { mode: recursive === undefined ? 'per-directory' : 'recursive', close, [Symbol.asyncDispose]: close };
}

interface BatchQueue {
  /** Queues a changed path; `renamed`: created, deleted or moved (not just written). */
  add(path: string, renamed: boolean): void;
  /** The files to re-index for a changed path (`info`: its lstat, undefined when gone). */
  expand: (path: string, info: Stats | undefined, renamed: boolean) => Promise<string[]>;
  /** Every file to index under a directory whose `.gitignore` changed (watching what it now ignores no more). */
  rescan: (dir: string) => Promise<string[]>;
  rules: IgnoreRules | undefined;
  close(): Promise<void>;
}

/** Collects changed paths and indexes them in batches, one batch at a time. */
function createBatchQueue(root: string, dbPath: string, options: IndexWatcherOptions): BatchQueue {
  const debounceMs = options.debounceMs ?? DEBOUNCE_MS;
  const onError = options.onError ?? ((error: Error) => debug('batch failed, retrying: %s', error.message));
  /** Changed paths, each with whether it was renamed (created, deleted, moved). */
  let pending = new Map<string, boolean>();
  let firstEvent = 0;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  const schedule = (delay: number): void => {
    if (closed || running !== undefined) return;
    clearTimeout(timer);
    const waited = firstEvent === 0 ? 0 : performance.now() - firstEvent;
    timer = setTimeout(() => void run(), Math.max(0, Math.min(delay, MAX_WAIT_MS - waited)));
  };
  const run = async (): Promise<void> => {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const paths = pending;
    const started = firstEvent;
    pending = new Map();
    firstEvent = 0;
    running = indexBatch(paths, started).then((ok) => {
      running = undefined;
      if (closed) return;
      if (!ok) timer = setTimeout(() => void run(), RETRY_MS);
      else if (pending.size > 0) schedule(debounceMs);
    });
    await running;
  };
  /** Indexes one batch; on failure puts its paths back and resolves false. */
  const indexBatch = async (paths: Map<string, boolean>, started: number): Promise<boolean> => {
    try {
      const files = new Set<string>();
      const within: string[] = [];
      for (const [path, renamed] of paths) {
        const info = await lstat(join(root, path)).catch(() => undefined);
        for (const file of await queue.expand(path, info, renamed)) files.add(file);
        const rulesOf = gitignoreDir(path);
        if (rulesOf === undefined) continue;
        // Its rules changed: what its directory holds is indexed, or dropped, by the new ones.
        within.push(rulesOf);
        for (const file of await queue.rescan(rulesOf)) files.add(file);
      }
      if (files.size === 0 && within.length === 0) return true;
      const indexStarted = performance.now();
      const result = await reindexFiles({ root, dbPath, paths: [...files], within });
      const done = performance.now();
      debug('indexed %d, removed %d in %d ms', result.updated.length, result.removed.length, Math.round(done - indexStarted));
      options.onIndexed?.({ ...result, latencyMs: done - started, indexMs: done - indexStarted });
      return true;
    } catch (error) {
      for (const [path, renamed] of paths) pending.set(path, renamed || pending.get(path) === true);
      firstEvent = started;
      onError(error as Error);
      return false;
    }
  };
  const queue: BatchQueue = {
    add(path, renamed) {
      if (closed || path === '' || isIndexFile(join(root, path), dbPath)) return;
      const rulesOf = gitignoreDir(path);
      if (rulesOf !== undefined) queue.rules?.forget(rulesOf);
      if (path.split('/')[0] === '.git') return;
      pending.set(path, renamed || pending.get(path) === true);
      if (firstEvent === 0) firstEvent = performance.now();
      schedule(debounceMs);
    },
    expand: async () => [],
    rescan: async () => [],
    rules: undefined,
    async close() {
      closed = true;
      clearTimeout(timer);
      await running;
    },
  };
  return queue;
}

/** The directory ('' for the root) whose rules a changed `.gitignore` holds; undefined for any other path. */
function gitignoreDir(path: string): string | undefined {
  if (path === '.gitignore') return '';
  return path.endsWith('/.gitignore') ? path.slice(0, -'/.gitignore'.length) : undefined;
}

/** The index file and its companions (`-wal`, `-shm`, `.lock`, `.writer`) when it lives inside the repository. */
function isIndexFile(full: string, dbPath: string): boolean {
  return full.startsWith(dbPath);
}

function toRel(root: string, full: string): string {
  const rel = relative(root, full);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

function recursiveWatch(root: string, queue: BatchQueue): FSWatcher | undefined {
  try {
    const watcher = watch(root, { recursive: true }, (event, name) => {
      if (name !== null) queue.add(toRel(root, join(root, name.toString())), event === 'rename');
    });
    watcher.on('error', (error) => debug('recursive watch failed: %s', error.message));
    return watcher;
  } catch (error) {
    debug('no recursive watch here (%s): watching each directory', (error as Error).message);
    return undefined;
  }
}

interface TreeWatcher {
  /** Watches a directory and the non-ignored directories under it; resolves to the files found. */
  watchDir(dir: string): Promise<string[]>;
  /** Stops watching a directory that is gone, and everything under it. */
  unwatch(dir: string): void;
  /** After `dir`'s ignore rules changed: stops watching what they now ignore, watches what they no longer do. */
  rescan(dir: string): Promise<void>;
  close(): void;
}

function createTreeWatcher(root: string, rules: IgnoreRules, queue: BatchQueue): TreeWatcher {
  const watchers = new Map<string, FSWatcher>();
  let closed = false;
  const unwatch = (dir: string): void => {
    for (const [path, watcher] of watchers) {
      if (path === dir || path.startsWith(`${dir}/`)) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };
  const watchDir = async (dir: string): Promise<string[]> => {
    if (closed || watchers.has(dir)) return [];
    try {
      const watcher = watch(join(root, dir), (event, name) => {
        queue.add(name === null ? dir : dir === '' ? name.toString() : `${dir}/${name.toString()}`, event === 'rename' || name === null);
      });
      watcher.on('error', () => unwatch(dir));
      watchers.set(dir, watcher);
    } catch (error) {
      debug('cannot watch %s: %s', dir, (error as Error).message);
      return [];
    }
    const files: string[] = [];
    for (const entry of await readdir(join(root, dir), { withFileTypes: true }).catch(() => [])) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory() && !rules.ignores(path, true)) files.push(...(await watchDir(path)));
      else if (entry.isFile() && !rules.ignores(path, false)) files.push(path);
    }
    return files;
  };
  const rescan = async (dir: string): Promise<void> => {
    if (dir !== '' && rules.ignores(dir, true)) return; // a .gitignore inside an ignored directory
    for (const path of [...watchers.keys()]) {
      if (path.startsWith(dir === '' ? '' : `${dir}/`) && path !== dir && rules.ignores(path, true)) unwatch(path);
    }
    if (!watchers.has(dir)) {
      await watchDir(dir);
      return;
    }
    for (const entry of await readdir(join(root, dir), { withFileTypes: true }).catch(() => [])) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory() && !rules.ignores(path, true)) await rescan(path);
    }
  };
  return {
    watchDir,
    unwatch,
    rescan,
    close() {
      closed = true;
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

/** The non-ignored files under a directory (for a directory that appeared under a recursive watch). */
async function listTree(root: string, dir: string, rules: IgnoreRules): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true }).catch(() => [])) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory() && !rules.ignores(path, true)) files.push(...(await listTree(root, path, rules)));
    else if (entry.isFile() && !rules.ignores(path, false)) files.push(path);
  }
  return files;
}
