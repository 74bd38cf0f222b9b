import { existsSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openRepoIndex, type RepoIndex } from '../query/repo-index.js';
import { defaultDbPath } from '../store/db-path.js';

/** Where an index is: the repository root and, optionally, the index file (default under FLOTILLA_HOME). */
export interface RepoLocation {
  root?: string;
  dbPath?: string;
}

/**
 * An index opened on first use, so a server can answer `tools/list` before the index exists. Each
 * `get()` retries until the index opens; after that the same read-only handle serves every call.
 * That handle never holds a read transaction between calls (every query is an autocommit
 * statement), so in WAL mode each call sees the latest commit of whichever process writes the index.
 */
export interface RepoIndexSource extends Disposable {
  readonly root: string;
  readonly dbPath: string;
  /** The opened index; throws an `IndexUnavailableError` while it cannot be opened. */
  get(): RepoIndex;
  close(): void;
}

export type IndexUnavailableCode = 'INDEX_NOT_BUILT' | 'REPO_NOT_FOUND' | 'INDEX_UNUSABLE';

/** Why a query could not run: a message an agent can act on. */
export class IndexUnavailableError extends Error {
  constructor(
    readonly code: IndexUnavailableCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A lazily opened index of one repository.
 *
 * @example
 * using source = createRepoIndexSource({ root: '/src/app' });
 * definition(source.get(), 'main');
 */
export function createRepoIndexSource(location: RepoLocation = {}): RepoIndexSource {
  const given = resolve(location.root ?? '.');
  // The indexer names the default index after the real path; resolve it the same way when we can.
  const root = existsSync(given) ? realpathSync(given) : given;
  const dbPath = resolve(location.dbPath ?? defaultDbPath(root));
  let opened: RepoIndex | undefined;
  const close = (): void => {
    opened?.close();
    opened = undefined;
  };
  return {
    root,
    dbPath,
    get() {
      opened ??= open(root, dbPath, location.dbPath !== undefined);
      return opened;
    },
    close,
    [Symbol.dispose]: close,
  };
}

/** Wraps an already opened index (the caller keeps ownership and closes it). */
export function fixedRepoIndexSource(repo: RepoIndex): RepoIndexSource {
  return { root: repo.root, dbPath: '', get: () => repo, close: () => undefined, [Symbol.dispose]: () => undefined };
}

function open(root: string, dbPath: string, explicitDb: boolean): RepoIndex {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new IndexUnavailableError('REPO_NOT_FOUND', `no such repository directory: ${root}`);
  const command = `codekb index ${root}${explicitDb ? ` --db ${dbPath}` : ''}`;
  if (!existsSync(dbPath)) throw new IndexUnavailableError('INDEX_NOT_BUILT', `index not built yet: run ${command}`);
  try {
    return openRepoIndex({ root, dbPath });
  } catch (error) {
    const message = (error as Error).message;
    // A file with schema 0 is an index whose first run has not committed its schema yet.
    if (/has schema 0\b/.test(message)) throw new IndexUnavailableError('INDEX_NOT_BUILT', `index not built yet: run ${command}`);
    throw new IndexUnavailableError('INDEX_UNUSABLE', `cannot open the index ${dbPath}: ${message}`);
  }
}
