import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SqliteDatabase } from '@flotilla/kit/sqlite';
import { defaultDbPath } from '../store/db-path.js';
import { openIndexDatabase } from '../store/schema.js';

const QUERY_MMAP_BYTES = 1024 ** 3;

/** An opened index plus the repository root it describes; what every query takes. */
export interface RepoIndex extends Disposable {
  /** The repository root, resolved through symlinks. */
  readonly root: string;
  readonly sqlite: SqliteDatabase;
  close(): void;
}

/**
 * Opens a repository's index read-only for queries (run `indexRepository` first).
 *
 * @example
 * using repo = openRepoIndex({ root: '/src/app' });
 * definition(repo, 'main');
 */
export function openRepoIndex(options: { root?: string; dbPath?: string } = {}): RepoIndex {
  const root = realpathSync(resolve(options.root ?? '.'));
  const index = openIndexDatabase(resolve(options.dbPath ?? defaultDbPath(root)), { readonly: true });
  // Literal search reads many chunk blobs per query; through the page cache they come ~2× faster.
  index.sqlite.pragma(`mmap_size = ${QUERY_MMAP_BYTES}`);
  return { root, sqlite: index.sqlite, close: index.close, [Symbol.dispose]: index.close };
}
