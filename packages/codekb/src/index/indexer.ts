import { lstat, realpath, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { acquireLock } from '@flotilla/kit/fs';
import { checkpoint, immediate } from '@flotilla/kit/sqlite/connection';
import createDebug from 'debug';
import { defaultDbPath } from '../store/db-path.js';
import { openIndexDatabase } from '../store/schema.js';
import { openTextStoreWriter } from '../store/text-store.js';
import { createDeferredIndexes, createIndexWriter, dropDeferrableIndexes, optimizeFts, setBulkLoad, type FileRecord } from '../store/writer.js';
import { ParserPool } from './languages.js';
import { defaultWorkers, parseInThread, ParseWorkers, type ParseJob, type ParsePoolOptions } from './parse-pool.js';
import { readRecord } from './read-record.js';
import { listFiles } from './walk.js';

export { MAX_FILE_BYTES } from './read-record.js';

const debug = createDebug('codekb:index');

/**
 * Below this many listed files the default is to parse on the calling thread: starting a worker
 * (loading tree-sitter and a grammar, ~0.1 s) costs more than parsing a few dozen files.
 */
const MIN_FILES_FOR_WORKERS = 32;
/** Files written per transaction: big enough to amortise commits, small enough not to starve readers. */
const BATCH_FILES = 200;
/**
 * Text bytes written per transaction, whichever comes first: FTS5 builds a transaction's trigram
 * segment at its commit, and committing every MiB spreads that work over the run, while the
 * workers parse, instead of leaving most of it to one commit at the end (typescript/lib: 122 files
 * and 6 MiB of text in one transaction; zod's full index 10–20 % faster).
 */
const BATCH_BYTES = 1024 * 1024;
/** A run that (re-)wrote at least this many files, and half of the repository, merges the trigram index (see below). */
const OPTIMIZE_MIN_FILES = 100;

export interface IndexOptions {
  /** The repository root (default: the current directory). */
  root?: string;
  /** The index file (default: `defaultDbPath(root)`). */
  dbPath?: string;
  /** Called after each file with how many have been looked at. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Parse worker threads: files are read, hashed and parsed in workers while this thread writes
   * the index. Default `min(2, availableParallelism())`, or 0 for repositories of fewer than 32
   * files; 0 parses on this thread.
   */
  workers?: number;
  /** Worker recycling thresholds and test-only fault injection (see `ParsePoolOptions`). */
  pool?: Omit<ParsePoolOptions, 'root' | 'workers'>;
}

export interface IndexSummary {
  root: string;
  dbPath: string;
  /** Files listed (after .gitignore). */
  files: number;
  /** Files (re-)read into the index in this run. */
  updated: number;
  unchanged: number;
  removed: number;
  symbols: number;
  refs: number;
  /** Indexed files per language (`text` for text-only files). */
  languages: Record<string, number>;
  /** Files kept out of the index: over 1 MB, binary, or generated (lock files, source maps, minified, marked; see generated.ts). */
  skipped: { path: string; reason: 'too-large' | 'binary' | 'generated' }[];
  /** Files that could not be read or parsed; they never stop an index. */
  errors: { path: string; message: string }[];
  durationMs: number;
  dbBytes: number;
}

/**
 * Indexes a repository into its SQLite index, re-reading only files whose content hash changed
 * and dropping files that are gone. One writer at a time (a lock file beside the index).
 *
 * @example
 * const summary = await indexRepository({ root: '/src/app' });
 * console.log(`${summary.files} files, ${summary.symbols} symbols`);
 */
export async function indexRepository(options: IndexOptions = {}): Promise<IndexSummary> {
  const started = performance.now();
  const root = await realpath(resolve(options.root ?? '.'));
  const dbPath = resolve(options.dbPath ?? defaultDbPath(root));
  const paths = await listFiles(root);
  const workers = options.workers ?? (paths.length < MIN_FILES_FOR_WORKERS ? 0 : defaultWorkers());
  // The workers start now and load tree-sitter and the grammars while this thread opens the index
  // and reads its hashes (a worker takes ~40 ms to be ready).
  await using pool = workers > 0 ? new ParseWorkers({ ...options.pool, root, workers }) : undefined;
  using index = openIndexDatabase(dbPath);
  await using _lock = await acquireLock(`${dbPath}.lock`, { timeoutMs: 30_000 });
  const { sqlite } = index;
  using text = openTextStoreWriter(sqlite, dbPath);
  const existing = new Map(
    (sqlite.prepare('SELECT id, path, sha1 FROM files').all() as { id: number; path: string; sha1: string }[]).map((row) => [row.path, row]),
  );
  const summary = emptySummary(root, dbPath, paths.length);
  const jobs: ParseJob[] = paths.map((path) => ({ path, previousSha1: existing.get(path)?.sha1 }));
  // A run that (re-)writes most of the index loads it in bulk (see setBulkLoad); any other run
  // restores the FTS5 defaults, also after a bulk run that died.
  const newFiles = jobs.reduce((n, job) => (job.previousSha1 === undefined ? n + 1 : n), 0);
  const bulk = newFiles >= OPTIMIZE_MIN_FILES && newFiles * 2 >= paths.length;
  // A first load (nothing to replace or remove, so nothing looks rows up by file) builds the
  // out-of-order indexes at the end; any other run first rebuilds those a first load that died left out.
  const firstLoad = bulk && existing.size === 0;
  immediate(sqlite, () => {
    setBulkLoad(sqlite, bulk);
    if (firstLoad) dropDeferrableIndexes(sqlite);
    else createDeferredIndexes(sqlite);
  });
  const writer = createIndexWriter(sqlite, text);
  const outcomes = pool ? pool.outcomes(jobs) : parseInThread(jobs, root);
  let done = 0;
  // Each record is written as it arrives, in a transaction committed every BATCH_FILES files or BATCH_BYTES:
  // between two records the event loop runs, so the workers get their next jobs while this thread
  // writes (a whole batch written at once left them idle for its duration).
  let inTransaction = 0;
  let bytesInTransaction = 0;
  const commit = (): void => {
    if (inTransaction === 0) return;
    writer.flush();
    sqlite.exec('COMMIT');
    inTransaction = 0;
    bytesInTransaction = 0;
  };
  try {
    for await (const record of outcomes) {
      options.onProgress?.(++done, paths.length);
      if (record === undefined) continue;
      if (record === 'unchanged') {
        summary.unchanged++;
        continue;
      }
      noteRecord(summary, record);
      if (inTransaction === 0) sqlite.exec('BEGIN IMMEDIATE');
      inTransaction++;
      bytesInTransaction += record.text?.length ?? 0;
      writer.put(record, existing.get(record.path)?.id);
      if (inTransaction >= BATCH_FILES || bytesInTransaction >= BATCH_BYTES) commit();
    }
    commit();
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  }
  if (firstLoad) immediate(sqlite, () => createDeferredIndexes(sqlite));
  const listed = new Set(paths);
  const gone = [...existing.values()].filter((row) => !listed.has(row.path));
  immediate(sqlite, () => {
    gone.forEach((row) => writer.remove(row.id));
    writer.flush();
  });
  summary.removed = gone.length;
  fillTotals(summary, sqlite);
  // After a bulk load or a (near) full re-index, each FTS5 index's segments merged into one: the
  // trigram index a tenth smaller (zod: 190 KB of 18 MB) for ~60 ms, and one doclist per trigram to read at query time.
  if (bulk || (summary.updated >= OPTIMIZE_MIN_FILES && summary.updated * 2 >= summary.files)) {
    immediate(sqlite, () => {
      if (bulk) setBulkLoad(sqlite, false);
      optimizeFts(sqlite);
    });
  }
  // Gives the pages FTS5 segment merges and replaced rows freed back (indexes made before
  // auto_vacuum was set ignore it): a tenth of a fresh index's pages or more.
  sqlite.pragma('incremental_vacuum');
  text.compactIfNeeded();
  text.sync();
  checkpoint(sqlite);
  summary.dbBytes = (await stat(dbPath)).size + text.meta.end;
  summary.durationMs = Math.round(performance.now() - started);
  debug('indexed %s in %d ms', root, summary.durationMs);
  return summary;
}

export interface ReindexResult {
  /** Paths (re-)read into the index. */
  updated: string[];
  /** Paths dropped from the index (gone, or no longer a regular file). */
  removed: string[];
}

export interface ReindexOptions {
  root: string;
  dbPath: string;
  /** Repo-relative, `/`-separated files to re-read (or drop when gone). */
  paths: readonly string[];
  /**
   * Directories ('' for the root) whose every indexed file is listed in `paths`: an indexed file
   * under one of them that `paths` leaves out is dropped although it exists (a `.gitignore` now
   * ignores it).
   */
  within?: readonly string[];
}

/**
 * Re-indexes just `paths` (repo-relative, `/`-separated) without walking the repository: re-reads
 * those whose content hash changed and drops those that are gone — with every indexed file under a
 * path that no longer exists (a deleted directory) — and the indexed files under `within` that
 * `paths` leaves out. Takes the same lock as `indexRepository`.
 *
 * @example
 * await reindexFiles({ root: '/src/app', dbPath, paths: ['src/main.ts'] });
 */
export async function reindexFiles(options: ReindexOptions): Promise<ReindexResult> {
  const root = await realpath(resolve(options.root));
  const dbPath = resolve(options.dbPath);
  using index = openIndexDatabase(dbPath);
  await using _lock = await acquireLock(`${dbPath}.lock`, { timeoutMs: 30_000 });
  const { sqlite } = index;
  const lookup = sqlite.prepare('SELECT id, path, sha1 FROM files WHERE path = ?');
  const under = sqlite.prepare('SELECT id, path, sha1 FROM files WHERE substr(path, 1, ?) = ?');
  const parsers = new ParserPool();
  const records: { record: FileRecord; id: number | undefined }[] = [];
  const gone = new Map<string, number>();
  for (const [i, path] of [...new Set(options.paths)].entries()) {
    // A turn of the event loop between files lets N-API free the trees parsed so far (see parse-worker.ts).
    if (i > 0) await nextTurn();
    const row = lookup.get(path) as { id: number; path: string; sha1: string } | undefined;
    const record = readRecord(root, path, parsers, row?.sha1);
    if (record === 'unchanged') continue;
    if (record !== undefined) {
      records.push({ record, id: row?.id });
      continue;
    }
    if (row !== undefined) gone.set(row.path, row.id);
    const exists = await lstat(join(root, path)).then(() => true, () => false);
    if (!exists) for (const child of under.all(path.length + 1, `${path}/`) as { id: number; path: string }[]) gone.set(child.path, child.id);
  }
  const listed = new Set(options.paths);
  for (const dir of options.within ?? []) {
    const rows = (dir === '' ? sqlite.prepare('SELECT id, path FROM files').all() : under.all(dir.length + 1, `${dir}/`)) as { id: number; path: string }[];
    for (const row of rows) if (!listed.has(row.path)) gone.set(row.path, row.id);
  }
  if (records.length > 0 || gone.size > 0) {
    using text = openTextStoreWriter(sqlite, dbPath);
    const writer = createIndexWriter(sqlite, text);
    immediate(sqlite, () => {
      createDeferredIndexes(sqlite);
      for (const { record, id } of records) writer.put(record, id);
      for (const id of gone.values()) writer.remove(id);
      writer.flush();
    });
    // Not synced here: a watcher pass is one or a few files and an fdatasync costs 3–30 ms, and
    // SQLite's own commits are not synced either (WAL, synchronous=NORMAL). A power loss that
    // drops the appended text makes the store shorter than the index says, and the next writer
    // to open it re-reads those files (text-store.ts).
    text.compactIfNeeded();
  }
  return { updated: records.map(({ record }) => record.path), removed: [...gone.keys()] };
}

function emptySummary(root: string, dbPath: string, files: number): IndexSummary {
  return { root, dbPath, files, updated: 0, unchanged: 0, removed: 0, symbols: 0, refs: 0, languages: {}, skipped: [], errors: [], durationMs: 0, dbBytes: 0 };
}

function noteRecord(summary: IndexSummary, record: FileRecord): void {
  summary.updated++;
  if (record.status === 'skipped-large') summary.skipped.push({ path: record.path, reason: 'too-large' });
  if (record.status === 'skipped-binary') summary.skipped.push({ path: record.path, reason: 'binary' });
  if (record.status === 'skipped-generated') summary.skipped.push({ path: record.path, reason: 'generated' });
  if (record.status === 'error') summary.errors.push({ path: record.path, message: record.note ?? 'failed' });
}

function fillTotals(summary: IndexSummary, sqlite: ReturnType<typeof openIndexDatabase>['sqlite']): void {
  summary.symbols = (sqlite.prepare('SELECT count(*) AS n FROM symbols').get() as { n: number }).n;
  summary.refs = (sqlite.prepare('SELECT coalesce(sum(count), 0) AS n FROM refs').get() as { n: number }).n;
  const rows = sqlite
    .prepare("SELECT coalesce(language, 'text') AS language, count(*) AS n FROM files WHERE status IN ('parsed', 'text', 'error') GROUP BY 1")
    .all() as { language: string; n: number }[];
  summary.languages = Object.fromEntries(rows.map((row) => [row.language, row.n]));
}
