import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ftsQuote, splitIdentifier } from '../store/words.js';
import { globToRegExp } from './glob.js';
import type { RepoIndex } from './repo-index.js';

export interface SearchOptions {
  /** Exact substring search (case-sensitive), confirmed line by line: the files equal `rg -F -l`. */
  literal?: boolean;
  /** Only files of this language (`typescript`, `python`, …, or `text`). */
  language?: string;
  /** Only paths matching this glob (`src/**\/*.ts`, `*.py`). */
  path?: string;
  limit?: number;
}

export interface SearchHit {
  path: string;
  line: number;
  /** `symbol` for a declaration hit, `text` for a line of file content. */
  source: 'symbol' | 'text';
  /** The declaration's first line, or the matching line of text. */
  text: string;
  name?: string;
  kind?: string;
}

const DEFAULT_LIMIT = 20;
/** Trigrams ANDed into one candidate query; more only narrow an already tiny candidate set. */
const MAX_TRIGRAMS = 24;

/**
 * Ranked search: BM25 over symbol names (split on camelCase/snake_case), signatures, doc comments
 * and paths, followed by lines of file content containing the query. With `literal`, only exact
 * substrings via the trigram index, each confirmed against the file text.
 *
 * @example
 * await search(repo, 'parse config', { language: 'typescript' });
 * await search(repo, 'TODO(', { literal: true });
 */
export async function search(repo: RepoIndex, query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const pathFilter = options.path === undefined ? undefined : globToRegExp(options.path);
  const keep = (path: string): boolean => pathFilter === undefined || pathFilter.test(path);
  if (options.literal === true) return (await textMatches(repo, query, { ...options, caseSensitive: true, keep, stopAfter: limit })).slice(0, limit);
  const symbols = symbolMatches(repo, query, options.language, keep).slice(0, limit);
  const seen = new Set(symbols.map((hit) => `${hit.path}:${hit.line}`));
  const text = await textMatches(repo, query, { ...options, caseSensitive: false, keep, stopAfter: limit });
  return [...symbols, ...text.filter((hit) => !seen.has(`${hit.path}:${hit.line}`))].slice(0, limit);
}

function symbolMatches(repo: RepoIndex, query: string, language: string | undefined, keep: (path: string) => boolean): SearchHit[] {
  const terms = new Set<string>();
  for (const word of query.split(/\s+/).filter((w) => w !== '')) {
    for (const term of [word.toLowerCase(), ...splitIdentifier(word)]) if (/\w/.test(term)) terms.add(term.replace(/[^\w]/g, ''));
  }
  terms.delete('');
  if (terms.size === 0) return [];
  const rows = repo.sqlite
    .prepare(
      `SELECT f.path, s.start_line AS line, s.signature AS text, s.name, s.kind
       FROM symbols_fts JOIN symbols s ON s.id = symbols_fts.rowid JOIN files f ON f.id = s.file_id
       WHERE symbols_fts MATCH ? AND (? IS NULL OR coalesce(f.language, 'text') = ?)
       ORDER BY bm25(symbols_fts, 10.0, 3.0, 1.0, 2.0) LIMIT 500`,
    )
    .all([...terms].map(ftsQuote).join(' OR '), language ?? null, language ?? null) as Omit<SearchHit, 'source'>[];
  // A symbol named exactly as the query (spaces and underscores aside: "total area" is totalArea)
  // comes first — BM25 alone ranks `makeUnitCircle` above `class Circle` for "Circle". The sort is
  // stable, so BM25 order holds within each group.
  const squash = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, '');
  const wanted = squash(query);
  const isExact = (row: { name?: string }) => (row.name !== undefined && squash(row.name) === wanted ? 0 : 1);
  const ranked = rows.filter((row) => keep(row.path)).sort((a, b) => isExact(a) - isExact(b));
  return ranked.map((row) => ({ ...row, source: 'symbol' as const }));
}

interface TextOptions {
  language?: string;
  caseSensitive: boolean;
  keep: (path: string) => boolean;
  stopAfter?: number;
}

async function textMatches(repo: RepoIndex, query: string, options: TextOptions): Promise<SearchHit[]> {
  if (query === '') return [];
  const hits: SearchHit[] = [];
  const needle = options.caseSensitive ? query : query.toLowerCase();
  for (const path of candidateFiles(repo, query, options.language)) {
    if (!options.keep(path)) continue;
    let text: string;
    try {
      text = await readFile(join(repo.root, path), 'utf8');
    } catch {
      continue; // deleted since indexing
    }
    const lines = text.split('\n');
    for (const [index, line] of lines.entries()) {
      if ((options.caseSensitive ? line : line.toLowerCase()).includes(needle)) hits.push({ path, line: index + 1, source: 'text', text: line.trim().slice(0, 200) });
    }
    if (options.stopAfter !== undefined && hits.length >= options.stopAfter) break;
  }
  return hits;
}

/** Files that may contain `query`: every trigram present (case-folded), or every text file for short queries. */
function candidateFiles(repo: RepoIndex, query: string, language: string | undefined): string[] {
  const chars = Array.from(query);
  const filter = `(? IS NULL OR coalesce(f.language, 'text') = ?)`;
  if (chars.length < 3) {
    const sql = `SELECT path FROM files f WHERE status IN ('parsed', 'text', 'error') AND ${filter} ORDER BY path`;
    return (repo.sqlite.prepare(sql).all(language ?? null, language ?? null) as { path: string }[]).map((row) => row.path);
  }
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) trigrams.add(chars.slice(i, i + 3).join(''));
  const all = [...trigrams];
  const step = Math.max(1, Math.ceil(all.length / MAX_TRIGRAMS));
  const picked = all.filter((_, i) => i % step === 0 || i === all.length - 1);
  const sql = `SELECT f.path FROM content_fts JOIN files f ON f.id = content_fts.rowid WHERE content_fts MATCH ? AND ${filter} ORDER BY f.path`;
  return (repo.sqlite.prepare(sql).all(picked.map(ftsQuote).join(' AND '), language ?? null, language ?? null) as { path: string }[]).map((row) => row.path);
}
