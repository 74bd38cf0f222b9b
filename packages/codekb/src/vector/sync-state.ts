import type { SqliteDatabase } from '@flotilla/kit/sqlite/connection';
import { z } from 'zod';
import type { IndexedFile } from './chunks.js';

/**
 * Which files' vectors are up to date, kept in the index database in tables of the vector sync's
 * own (the index's migrations know nothing of them; a rebuilt index starts with none, so everything
 * is embedded again). `codekb_vector_files` has one row per embedded file with the content hash its
 * points were made from; `codekb_vector_meta` remembers where they went and with which model.
 */
const STATE_TABLES = `
  CREATE TABLE IF NOT EXISTS codekb_vector_files (
    path TEXT PRIMARY KEY,
    sha1 TEXT NOT NULL,
    chunks INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS codekb_vector_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );`;

/** Where the points of an index live and how they were made; any change means re-embedding all. */
const VectorTargetSchema = z.object({
  /** The Qdrant URL (without credentials) and collection. */
  store: z.string(),
  model: z.string(),
  /** Learnt from the first embedding; absent before any. */
  dimensions: z.number().int().positive().optional(),
});
export type VectorTarget = z.infer<typeof VectorTargetSchema>;

export interface VectorSyncState {
  target(): VectorTarget | undefined;
  setTarget(target: VectorTarget): void;
  /** Forgets every file: the next pass embeds them all. */
  clear(): void;
  /** Indexed files whose vectors are missing or were made from other content, path order. */
  staleFiles(): IndexedFile[];
  /** Embedded paths that are no longer in the index. */
  removedPaths(): string[];
  unchangedCount(): number;
  markEmbedded(files: readonly { path: string; sha1: string; chunks: number }[]): void;
  forget(paths: readonly string[]): void;
}

/** The index statuses whose text is in the index, and so gets chunks. */
const EMBEDDED_STATUSES = "('parsed', 'text', 'error')";

/**
 * Opens (creating its tables when missing) the vector sync state inside a writable index database.
 *
 * @example
 * const state = openVectorSyncState(index.sqlite);
 * state.staleFiles(); // files to (re-)embed
 */
export function openVectorSyncState(sqlite: SqliteDatabase): VectorSyncState {
  sqlite.exec(STATE_TABLES);
  const s = {
    getMeta: sqlite.prepare("SELECT value FROM codekb_vector_meta WHERE key = 'target'"),
    setMeta: sqlite.prepare("INSERT INTO codekb_vector_meta (key, value) VALUES ('target', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"),
    stale: sqlite.prepare(
      `SELECT f.id, f.path, f.sha1 FROM files f LEFT JOIN codekb_vector_files v ON v.path = f.path
       WHERE f.status IN ${EMBEDDED_STATUSES} AND (v.sha1 IS NULL OR v.sha1 <> f.sha1) ORDER BY f.path`,
    ),
    removed: sqlite.prepare(
      `SELECT v.path FROM codekb_vector_files v LEFT JOIN files f ON f.path = v.path AND f.status IN ${EMBEDDED_STATUSES}
       WHERE f.id IS NULL ORDER BY v.path`,
    ),
    unchanged: sqlite.prepare('SELECT count(*) AS n FROM codekb_vector_files v JOIN files f ON f.path = v.path AND f.sha1 = v.sha1'),
    mark: sqlite.prepare(
      'INSERT INTO codekb_vector_files (path, sha1, chunks) VALUES (?, ?, ?) ON CONFLICT(path) DO UPDATE SET sha1 = excluded.sha1, chunks = excluded.chunks',
    ),
    forget: sqlite.prepare('DELETE FROM codekb_vector_files WHERE path = ?'),
    clear: sqlite.prepare('DELETE FROM codekb_vector_files'),
  };
  return {
    target() {
      const row = s.getMeta.get() as { value: string } | undefined;
      return row === undefined ? undefined : parseTarget(row.value);
    },
    setTarget: (target) => s.setMeta.run(JSON.stringify(target)),
    clear: () => s.clear.run(),
    staleFiles: () => s.stale.all() as IndexedFile[],
    removedPaths: () => (s.removed.all() as { path: string }[]).map((row) => row.path),
    unchangedCount: () => (s.unchanged.get() as { n: number }).n,
    markEmbedded: sqlite.transaction((files: readonly { path: string; sha1: string; chunks: number }[]) => {
      for (const file of files) s.mark.run(file.path, file.sha1, file.chunks);
    }),
    forget: sqlite.transaction((paths: readonly string[]) => {
      for (const path of paths) s.forget.run(path);
    }),
  };
}

/** A stored target, or undefined when it is not one (then everything is re-embedded). */
function parseTarget(value: string): VectorTarget | undefined {
  try {
    const parsed = VectorTargetSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
