import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SqliteDatabase } from '@flotilla/kit/sqlite/connection';
import { defaultDbPath } from '../store/db-path.js';
import { openIndexDatabase } from '../store/schema.js';
import { TextStoreReader, textStoreSnapshot } from '../store/text-store.js';

const QUERY_MMAP_BYTES = 1024 ** 3;

/** An opened index plus the repository root it describes; what every query takes. */
export interface RepoIndex extends Disposable {
  /** The repository root, resolved through symlinks. */
  readonly root: string;
  readonly sqlite: SqliteDatabase;
  /** The indexed file text (store/text-store.ts), read at the offsets the index gives. */
  readonly text: TextStoreReader;
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
  const dbPath = resolve(options.dbPath ?? defaultDbPath(root));
  const index = openIndexDatabase(dbPath, { readonly: true });
  index.sqlite.pragma(`mmap_size = ${QUERY_MMAP_BYTES}`);
  const text = new TextStoreReader(dbPath);
  const close = (): void => {
    text.close();
    index.close();
  };
  return { root, sqlite: index.sqlite, text, close, [Symbol.dispose]: close };
}

/**
 * Runs `read` with the text store at the generation of one read snapshot of the index, so the
 * offsets it reads belong to the file it reads them from. A compaction that finished (and removed
 * the snapshot's file) before the file was opened makes it start again on a newer snapshot.
 */
export function inTextSnapshot<T>(repo: RepoIndex, read: (generation: number) => T): T {
  for (let attempt = 0; ; attempt++) {
    const result = repo.sqlite
      .transaction(() => {
        const { generation, end } = textStoreSnapshot(repo.sqlite);
        return repo.text.use(generation, end) ? { value: read(generation) } : undefined;
      })
      .deferred();
    if (result !== undefined) return result.value;
    if (attempt >= 3) throw new Error('the text store kept changing generation during a search; try again');
  }
}
