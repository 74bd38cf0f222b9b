import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { promisify } from 'node:util';
import { FILE_SYMBOLS } from '../store/schema.js';
import { FileRefs } from '../store/ref-names.js';
import { fileText } from './file-rank.js';
import type { RepoIndex } from './repo-index.js';

/** A file related to the one asked about, with why. */
export interface RelatedFile {
  path: string;
  score: number;
  reasons: string[];
}

const DEFAULT_LIMIT = 10;
/** Score of an import edge, per direction. */
const IMPORT_WEIGHT = 1;
/** Score per shared symbol name (divided by how many files define it), capped at SYMBOLS_CAP. */
const SYMBOL_WEIGHT = 0.2;
const SYMBOLS_CAP = 1;
/** Commits read for co-change, and the largest commit counted (bulk commits relate nothing). */
const COCHANGE_COMMITS = 500;
const COCHANGE_MAX_FILES = 50;
/** Files read to find importers, at most; candidates are pre-filtered by the trigram index. */
const MAX_IMPORTER_CANDIDATES = 2000;
const GIT_TIMEOUT_MS = 10_000;
/** Symbols another file can use: top level, or members (locals inside functions are not shared). */
const API_SYMBOL = `(parent_id IS NULL OR kind IN ('method', 'property', 'field', 'enum_member'))`;
const execFileAsync = promisify(execFile);

interface FileRow {
  id: number;
  path: string;
  language: string | null;
}

/** The paths of the index, with lookups the resolvers need. */
class FileSet {
  readonly paths: Set<string>;
  readonly byDir = new Map<string, string[]>();
  readonly byBase = new Map<string, string[]>();
  constructor(rows: FileRow[]) {
    this.paths = new Set(rows.map((row) => row.path));
    for (const { path } of rows) {
      push(this.byDir, posix.dirname(path), path);
      push(this.byBase, posix.basename(path), path);
    }
  }
  first(candidates: string[]): string[] {
    const hit = candidates.map((c) => posix.normalize(c)).find((c) => this.paths.has(c));
    return hit === undefined ? [] : [hit];
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

const JS_IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"\n]+)['"]/g;
const PY_FROM = /^[ \t]*from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w., \t\n]+)/gm;
const PY_IMPORT = /^[ \t]*import[ \t]+([\w., \t]+)/gm;
const GO_IMPORT = /\bimport\s*(?:\(([^)]*)\)|(?:[\w.]+\s+)?"([^"]+)")/g;
const RUST_MOD = /^[ \t]*(?:pub(?:\([^)]*\))?[ \t]+)?mod[ \t]+(\w+)[ \t]*;/gm;
const RUST_USE = /\buse\s+((?:crate|super|self)(?:::\w+)+)/g;
const JS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.d.ts', '.js', '.jsx', '.mjs', '.cjs'];

function jsImports(text: string, from: string, files: FileSet): string[] {
  const out: string[] = [];
  for (const [, spec = ''] of text.matchAll(JS_IMPORT)) {
    if (!spec.startsWith('.')) continue; // bare specifiers are packages, not files of this repo
    const base = posix.join(posix.dirname(from), spec);
    const stem = base.replace(/\.(?:[mc]?js|jsx)$/, '');
    out.push(...files.first([base, ...JS_EXTENSIONS.map((ext) => stem + ext), ...JS_EXTENSIONS.map((ext) => `${base}/index${ext}`)]));
  }
  return out;
}

function pythonModule(module: string, from: string, files: FileSet): string[] {
  const level = /^\.*/.exec(module)?.[0].length ?? 0;
  const parts = module.slice(level).split('.').filter(Boolean);
  const tails = [`${parts.join('/')}.py`, `${parts.join('/')}/__init__.py`, `${parts.join('/')}.pyi`];
  if (level > 0) {
    let dir = posix.dirname(from);
    for (let up = 1; up < level; up++) dir = posix.dirname(dir);
    return files.first(tails.map((tail) => posix.join(dir, tail)));
  }
  if (parts.length === 0) return [];
  // Absolute: any file whose path ends with the module's path (source roots vary).
  for (const tail of tails) {
    const hits = (files.byBase.get(posix.basename(tail)) ?? []).filter((path) => path === tail || path.endsWith(`/${tail}`));
    if (hits.length > 0) return hits;
  }
  return [];
}

function pythonImports(text: string, from: string, files: FileSet): string[] {
  const out: string[] = [];
  for (const [, module = '', names = ''] of text.matchAll(PY_FROM)) {
    const found = pythonModule(module, from, files);
    // `from pkg import mod` may name submodules; `from mod import name` names members of `mod`.
    for (const name of names.split(/[,\s]+/).filter((n) => /^\w+$/.test(n) && n !== 'as')) {
      const sub = pythonModule(`${module}${module.endsWith('.') ? '' : '.'}${name}`, from, files);
      out.push(...sub);
    }
    out.push(...found);
  }
  for (const [, list = ''] of text.matchAll(PY_IMPORT)) {
    for (const item of list.split(',')) out.push(...pythonModule(item.trim().split(/\s+/)[0] ?? '', from, files));
  }
  return out;
}

function goImports(text: string, files: FileSet): string[] {
  const out: string[] = [];
  for (const [, block, single] of text.matchAll(GO_IMPORT)) {
    const specs = single !== undefined ? [single] : [...(block ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? '');
    for (const spec of specs) {
      // A Go import names a package directory; match the longest directory suffix of the path.
      const segments = spec.split('/');
      for (let start = 0; start < segments.length; start++) {
        const dir = segments.slice(start).join('/');
        const hits = (files.byDir.get(dir) ?? []).filter((path) => path.endsWith('.go') && !path.endsWith('_test.go'));
        if (hits.length > 0) {
          out.push(...hits);
          break;
        }
      }
    }
  }
  return out;
}

function rustImports(text: string, from: string, files: FileSet): string[] {
  const dir = posix.dirname(from);
  const isRoot = /(?:^|\/)(?:lib|main|mod)\.rs$/.test(from);
  const moduleDir = isRoot ? dir : posix.join(dir, posix.basename(from, '.rs'));
  const out: string[] = [];
  for (const [, name = ''] of text.matchAll(RUST_MOD)) out.push(...files.first([`${moduleDir}/${name}.rs`, `${moduleDir}/${name}/mod.rs`]));
  let crateDir = dir;
  while (crateDir !== '.' && !files.paths.has(`${crateDir}/lib.rs`) && !files.paths.has(`${crateDir}/main.rs`)) crateDir = posix.dirname(crateDir);
  for (const [, path = ''] of text.matchAll(RUST_USE)) {
    const [head, ...segments] = path.split('::');
    const base = head === 'crate' ? crateDir : head === 'super' ? posix.dirname(moduleDir) : moduleDir;
    for (let end = segments.length; end > 0; end--) {
      const hit = files.first([`${base}/${segments.slice(0, end).join('/')}.rs`, `${base}/${segments.slice(0, end).join('/')}/mod.rs`]);
      if (hit.length > 0) {
        out.push(...hit);
        break;
      }
    }
  }
  return out;
}

/**
 * The repository files a file imports, parsed from its text with regular expressions (the index
 * stores imported names as references, not module paths): relative TS/JS specifiers (`import`,
 * `export … from`, `require`, `import()`; `.js` written for `.ts` sources, `index` files), Python
 * `import`/`from` (relative by package level, absolute by path suffix, submodules), Go packages
 * (by the longest directory suffix of the import path) and Rust `mod x;` and `use crate|super|self::…`.
 * Bare package specifiers are not files of the repo and are ignored.
 */
function importsOf(text: string, from: string, language: string | null, files: FileSet): Set<string> {
  let found: string[] = [];
  if (language === 'typescript' || language === 'tsx' || language === 'javascript') found = jsImports(text, from, files);
  else if (language === 'python') found = pythonImports(text, from, files);
  else if (language === 'go') found = goImports(text, files);
  else if (language === 'rust') found = rustImports(text, from, files);
  return new Set(found.filter((path) => path !== from));
}

async function readText(repo: RepoIndex, path: string): Promise<string> {
  return readFile(posix.join(repo.root, path), 'utf8').catch(() => '');
}

/** Files that might import `target`: their text contains its stem (trigram index), else every parsed file. */
function importerCandidates(repo: RepoIndex, target: FileRow, rows: FileRow[]): FileRow[] {
  const stem = posix.basename(target.path).replace(/\.[^.]*$/, '');
  const key = target.language === 'go' ? posix.basename(posix.dirname(target.path)) : ['index', '__init__', 'mod', 'lib'].includes(stem) ? posix.basename(posix.dirname(target.path)) : stem;
  const parsed = rows.filter((row) => row.language !== null && row.id !== target.id);
  if (key.length < 3 || key === '.') return parsed.slice(0, MAX_IMPORTER_CANDIDATES);
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= key.length; i++) trigrams.add(`"${key.slice(i, i + 3).replace(/"/g, '""')}"`);
  const match = [...trigrams].join(' AND ');
  const sql = 'SELECT DISTINCT c.file_id AS id FROM content_fts JOIN chunks c ON c.id = content_fts.rowid WHERE content_fts MATCH ?';
  const ids = new Set((repo.sqlite.prepare(sql).all(match) as { id: number }[]).map((r) => r.id));
  return parsed.filter((row) => ids.has(row.id)).slice(0, MAX_IMPORTER_CANDIDATES);
}

/** Per other file: the weighted number of symbol names shared with the file, each direction. */
function sharedSymbols(repo: RepoIndex, fileId: number): { path: string; uses: string[]; usedBy: string[]; weight: number }[] {
  const refNames = repo.sqlite.prepare('SELECT ref_names FROM files WHERE id = ?').pluck().get(fileId) as number;
  const used = new FileRefs(repo.sqlite).names(fileId, fileText(repo, fileId), refNames);
  const rows = repo.sqlite
    .prepare(
      `WITH api AS (SELECT * FROM symbols WHERE ${API_SYMBOL}),
            defs AS (SELECT name, count(DISTINCT file_id) AS n FROM api GROUP BY name),
            mine AS (SELECT DISTINCT s.name FROM files f JOIN symbols s ON ${FILE_SYMBOLS} WHERE f.id = @id AND ${API_SYMBOL}),
            used AS (SELECT value AS name FROM json_each(@used))
       SELECT f.path, 'uses' AS dir, s.name, d.n FROM used u JOIN api s ON s.name = u.name AND s.file_id != @id
         JOIN files f ON f.id = s.file_id JOIN defs d ON d.name = s.name
       UNION
       SELECT f.path, 'usedBy' AS dir, r.name, d.n FROM refs r JOIN mine m ON m.name = r.name
         JOIN files f ON f.id = r.file_id JOIN defs d ON d.name = r.name WHERE r.file_id != @id`,
    )
    .all({ id: fileId, used: JSON.stringify(used) }) as { path: string; dir: 'uses' | 'usedBy'; name: string; n: number }[];
  const byPath = new Map<string, { path: string; uses: string[]; usedBy: string[]; weight: number }>();
  for (const row of rows) {
    let entry = byPath.get(row.path);
    if (entry === undefined) byPath.set(row.path, (entry = { path: row.path, uses: [], usedBy: [], weight: 0 }));
    entry[row.dir].push(row.name);
    entry.weight += 1 / row.n;
  }
  return [...byPath.values()];
}

/** Commits (of the last COCHANGE_COMMITS) touching `path`, and per other file how many touched both. */
async function coChanges(root: string, path: string): Promise<{ total: number; counts: Map<string, number> }> {
  const counts = new Map<string, number>();
  let stdout: string;
  try {
    const args = ['-C', root, 'log', '--relative', '--name-only', '--format=%H', '-n', String(COCHANGE_COMMITS)];
    ({ stdout } = await execFileAsync('git', args, { timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }));
  } catch {
    return { total: 0, counts }; // not a git repository (or no commits): no co-change signal
  }
  let total = 0;
  for (const commit of stdout.split(/^[0-9a-f]{40}$/m)) {
    const paths = commit.split('\n').filter(Boolean);
    if (!paths.includes(path) || paths.length > COCHANGE_MAX_FILES) continue;
    total++;
    for (const other of paths) if (other !== path) counts.set(other, (counts.get(other) ?? 0) + 1);
  }
  return { total, counts };
}

/**
 * Files most related to `path`, best first, or undefined when `path` is not in the index. Scores add:
 *
 * - imports: 1 when `path` imports the file, 1 when the file imports `path` (see `importsOf`);
 * - shared symbols: 0.2 per symbol name one file defines and the other references, divided by the
 *   number of files defining that name, at most 1;
 * - co-change: commits touching both / commits touching `path`, over the last 500 commits of
 *   `git log` at the repo root, skipping commits of more than 50 files; nothing outside git.
 *
 * @example
 * await related(repo, 'src/shapes.ts');
 * // [{ path: 'src/widget.tsx', score: 1.4, reasons: ['imports src/shapes.ts', 'uses 2 symbols defined here: Circle, totalArea'] }]
 */
export async function related(repo: RepoIndex, path: string, options: { limit?: number } = {}): Promise<RelatedFile[] | undefined> {
  const rows = repo.sqlite.prepare("SELECT id, path, language FROM files WHERE status IN ('parsed', 'text', 'error')").all() as FileRow[];
  const target = rows.find((row) => row.path === path);
  if (target === undefined) return undefined;
  const files = new FileSet(rows);
  const results = new Map<string, RelatedFile>();
  const add = (other: string, score: number, reason: string): void => {
    if (other === path || !files.paths.has(other)) return;
    let entry = results.get(other);
    if (entry === undefined) results.set(other, (entry = { path: other, score: 0, reasons: [] }));
    entry.score += score;
    entry.reasons.push(reason);
  };
  const gitPromise = coChanges(repo.root, path);
  for (const other of importsOf(await readText(repo, path), path, target.language, files)) add(other, IMPORT_WEIGHT, `imported by ${path}`);
  for (const candidate of importerCandidates(repo, target, rows)) {
    if (importsOf(await readText(repo, candidate.path), candidate.path, candidate.language, files).has(path)) add(candidate.path, IMPORT_WEIGHT, `imports ${path}`);
  }
  for (const shared of sharedSymbols(repo, target.id)) {
    const reasons = [
      shared.uses.length > 0 ? `defines ${shared.uses.length} symbol(s) used here: ${shared.uses.slice(0, 5).join(', ')}` : '',
      shared.usedBy.length > 0 ? `uses ${shared.usedBy.length} symbol(s) defined here: ${shared.usedBy.slice(0, 5).join(', ')}` : '',
    ].filter(Boolean);
    add(shared.path, Math.min(SYMBOLS_CAP, SYMBOL_WEIGHT * shared.weight), reasons.join('; '));
  }
  const { total, counts } = await gitPromise;
  for (const [other, both] of counts) add(other, both / total, `changed together in ${both} of ${total} commits`);
  return [...results.values()]
    .map((entry) => ({ ...entry, score: Math.round(entry.score * 1000) / 1000 }))
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1))
    .slice(0, options.limit ?? DEFAULT_LIMIT);
}
