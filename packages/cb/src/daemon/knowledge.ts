/**
 * Knowledge: codekb's read-only queries (search, definition, references, read) over the index of
 * a repository, answered by the daemon when `@flotilla/codekb` is installed beside it. The daemon
 * never indexes: `codekb index DIR` (or a running `codekb serve`) writes the index, the daemon
 * opens it read-only per request and so always sees the latest one.
 */
import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import {
  formatCitation,
  ProtocolError,
  type KnowledgeDefinitionResult,
  type KnowledgeFile,
  type KnowledgeReadQuery,
  type KnowledgeReferenceResult,
  type KnowledgeRepo,
  type KnowledgeSearchQuery,
  type KnowledgeSearchResult,
  type KnowledgeSymbolQuery,
} from '@flotilla/protocol';
import { loadAddon } from '@flotilla/kit/web';

/** The part of codekb's public API the daemon uses: queries only, never the indexer. */
export type CodekbQueries = Pick<typeof import('@flotilla/codekb/query'), 'openRepoIndex' | 'defaultDbPath' | 'search' | 'definition' | 'references' | 'read'>;

export interface Knowledge {
  /** The repositories among `dirs` (job and session directories): indexed ones first, then unindexed git roots. */
  repos(dirs: Iterable<string>): Promise<KnowledgeRepo[]>;
  search(query: KnowledgeSearchQuery): Promise<KnowledgeSearchResult>;
  definition(query: KnowledgeSymbolQuery): Promise<KnowledgeDefinitionResult>;
  references(query: KnowledgeSymbolQuery): Promise<KnowledgeReferenceResult>;
  read(query: KnowledgeReadQuery): Promise<KnowledgeFile>;
}

/** codekb's query-only entry: no indexer, no MCP server. */
const CODEKB = '@flotilla/codekb/query';

/**
 * The knowledge service when codekb is installed, else null. It is imported on the first query,
 * not at start-up: a daemon whose page never asks pays nothing.
 */
export function findKnowledge(home: string, env: NodeJS.ProcessEnv = process.env): Knowledge | null {
  try {
    import.meta.resolve(CODEKB);
  } catch {
    return null;
  }
  let loading: Promise<CodekbQueries | null> | null = null;
  return createKnowledge(async () => {
    const codekb = await (loading ??= loadAddon<CodekbQueries>(CODEKB, import.meta.url));
    if (!codekb) throw new ProtocolError('INTERNAL', `${CODEKB} is installed but does not load`, { fix: 'reinstall it; the daemon log says why with DEBUG=cb:addons' });
    return codekb;
  }, { home, env });
}

/** `home`: the daemon's FLOTILLA_HOME, where codekb keeps one index file per repository. */
export function createKnowledge(codekb: () => Promise<CodekbQueries>, options: { home: string; env?: NodeJS.ProcessEnv }): Knowledge {
  const env = { ...(options.env ?? process.env), FLOTILLA_HOME: options.home };
  const fixFor = (dir: string): string => {
    const prefix = resolve(options.home) === join(homedir(), '.flotilla') ? '' : `FLOTILLA_HOME=${shellWord(options.home)} `;
    return `${prefix}codekb index ${shellWord(dir)}`;
  };

  /** Opens the index answering for `dir` (its nearest indexed ancestor), runs `query`, closes it. */
  async function withIndex<T>(dir: string, query: (api: CodekbQueries, repo: ReturnType<CodekbQueries['openRepoIndex']>) => Promise<T> | T): Promise<T> {
    const api = await codekb();
    const found = locate(api, dir, env);
    if (found === null) throw new ProtocolError('NOT_FOUND', `no such directory: ${dir}`);
    if (!('dbPath' in found)) {
      const root = found.gitRoot ?? found.dir;
      throw new ProtocolError('NOT_FOUND', `${root} has no codekb index`, { fix: fixFor(root) });
    }
    let repo;
    try {
      repo = api.openRepoIndex({ root: found.root, dbPath: found.dbPath });
    } catch (error) {
      throw new ProtocolError('CONFLICT', `the codekb index of ${found.root} cannot be opened: ${(error as Error).message}`, { fix: fixFor(found.root) });
    }
    try {
      return await query(api, repo);
    } finally {
      repo.close();
    }
  }

  return {
    async repos(dirs) {
      const api = await codekb();
      const byRoot = new Map<string, KnowledgeRepo>();
      for (const dir of new Set(dirs)) {
        const found = locate(api, dir, env);
        if (found === null) continue;
        if ('dbPath' in found) byRoot.set(found.root, { root: found.root, name: basename(found.root), indexed: true, indexedAt: indexedAt(found.dbPath) });
        else if (found.gitRoot !== null && !byRoot.has(found.gitRoot)) {
          byRoot.set(found.gitRoot, { root: found.gitRoot, name: basename(found.gitRoot), indexed: false, indexedAt: null, fix: fixFor(found.gitRoot) });
        }
      }
      return [...byRoot.values()].sort((a, b) => Number(b.indexed) - Number(a.indexed) || a.name.localeCompare(b.name) || a.root.localeCompare(b.root));
    },
    search: (q) =>
      withIndex(q.repo, async (api, repo) => {
        const hits = await api.search(repo, q.query, { literal: q.literal, language: q.language, path: q.path, limit: q.limit });
        return {
          root: repo.root,
          hits: hits.map((h) => ({ path: h.path, line: h.line, citation: formatCitation(h.path, h.line), source: h.source, text: h.text, name: h.name, kind: h.kind })),
        };
      }),
    definition: (q) =>
      withIndex(q.repo, (api, repo) => ({
        root: repo.root,
        hits: api.definition(repo, q.name, { limit: q.limit }).map((h) => ({
          path: h.path,
          line: h.line,
          endLine: h.endLine,
          citation: formatCitation(h.path, h.line),
          kind: h.kind,
          name: h.name,
          container: h.container,
          signature: h.signature,
          doc: h.doc,
        })),
      })),
    references: (q) =>
      withIndex(q.repo, (api, repo) => ({
        root: repo.root,
        hits: api.references(repo, q.name, { limit: q.limit }).map((h) => ({ path: h.path, line: h.line, citation: formatCitation(h.path, h.line), name: h.name, enclosing: h.enclosing })),
      })),
    read: (q) =>
      withIndex(q.repo, async (api, repo) => {
        // codekb's own read: refuses absolute paths, `..` and symlinks out of the root (checked on the opened file).
        const result = await api.read(repo, q.path, q.start, q.end);
        if (!result.ok) throw new ProtocolError(result.code === 'NOT_FOUND' ? 'NOT_FOUND' : 'BAD_REQUEST', result.message, { details: { reason: result.code } });
        const { path, start, end, totalLines, lines } = result;
        return { root: repo.root, path, start, end, totalLines, lines };
      }),
  };
}

type Located = { root: string; dbPath: string } | { dir: string; gitRoot: string | null };

/**
 * The nearest directory at or above `dir` with a codekb index (codekb names the index after the
 * root resolved through symlinks, as `codekb index` resolves it), else the nearest git root.
 * Null when `dir` does not exist.
 */
function locate(api: CodekbQueries, dir: string, env: NodeJS.ProcessEnv): Located | null {
  let current: string;
  try {
    current = realpathSync(dir);
  } catch {
    return null;
  }
  const start = current;
  let gitRoot: string | null = null;
  for (;;) {
    const dbPath = api.defaultDbPath(current, env);
    if (existsSync(dbPath)) return { root: current, dbPath };
    if (gitRoot === null && existsSync(join(current, '.git'))) gitRoot = current;
    const parent = dirname(current);
    if (parent === current) return { dir: start, gitRoot };
    current = parent;
  }
}

/** The last change of the index (its write-ahead log included). */
function indexedAt(dbPath: string): string {
  const times = [dbPath, `${dbPath}-wal`].map((path) => (existsSync(path) ? statSync(path).mtimeMs : 0));
  return new Date(Math.max(...times)).toISOString();
}

function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Whether `path` lies inside `dir` (or is it). */
export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}
