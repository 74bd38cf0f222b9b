import { ftsQuote, splitIdentifier } from '../store/words.js';
import { globToRegExp } from './glob.js';
import type { RepoIndex } from './repo-index.js';
import { scanText } from './text-scan.js';

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
  const textMatches = (caseSensitive: boolean): SearchHit[] =>
    scanText(repo, query, { caseSensitive, language: options.language, keep, stopAfter: limit });
  if (options.literal === true) {
    const hits = textMatches(true);
    return hits.length > limit ? hits.slice(0, limit) : hits;
  }
  const symbols = symbolMatches(repo, query, options.language, keep).slice(0, limit);
  const seen = new Set(symbols.map((hit) => `${hit.path}:${hit.line}`));
  const text = textMatches(false);
  return [...symbols, ...text.filter((hit) => !seen.has(`${hit.path}:${hit.line}`))].slice(0, limit);
}

/** Added to a symbol's BM25 score (lower is better) when its file's path holds a query term. */
const PATH_BONUS = 4;
/** Top-level symbols of files matched by path alone, taken after the symbols matched by content. */
const PATH_ONLY_SYMBOLS = 100;

interface SymbolRow extends Omit<SearchHit, 'source'> {
  fileId: number;
  score: number;
}

function symbolMatches(repo: RepoIndex, query: string, language: string | undefined, keep: (path: string) => boolean): SearchHit[] {
  const terms = new Set<string>();
  for (const word of query.split(/\s+/).filter((w) => w !== '')) {
    for (const term of [word.toLowerCase(), ...splitIdentifier(word)]) if (/\w/.test(term)) terms.add(term.replace(/[^\w]/g, ''));
  }
  terms.delete('');
  if (terms.size === 0) return [];
  const match = [...terms].map(ftsQuote).join(' OR ');
  const columns = `s.file_id AS fileId, f.path, s.start_line AS line, s.signature AS text, s.name, s.kind`;
  const languageFilter = `(? IS NULL OR coalesce(f.language, 'text') = ?)`;
  const rows = repo.sqlite
    .prepare(
      `SELECT ${columns}, bm25(symbols_fts, 10.0, 3.0, 1.0) AS score
       FROM symbols_fts JOIN symbols s ON s.id = symbols_fts.rowid JOIN files f ON f.id = s.file_id
       WHERE symbols_fts MATCH ? AND ${languageFilter} ORDER BY score LIMIT 500`,
    )
    .all(match, language ?? null, language ?? null) as SymbolRow[];
  const pathMatched = new Set(repo.sqlite.prepare('SELECT rowid FROM paths_fts WHERE paths_fts MATCH ?').pluck().all(match) as number[]);
  for (const row of rows) if (pathMatched.has(row.fileId)) row.score -= PATH_BONUS;
  const found = new Set(rows.map((row) => `${row.path}:${row.line}:${row.name}`));
  const pathOnly = repo.sqlite
    .prepare(
      `SELECT ${columns}, ${-PATH_BONUS} AS score FROM symbols s JOIN files f ON f.id = s.file_id
       WHERE s.file_id IN (SELECT value FROM json_each(?)) AND s.parent_id IS NULL AND ${languageFilter}
       ORDER BY f.path, s.start_line LIMIT ${PATH_ONLY_SYMBOLS}`,
    )
    .all(JSON.stringify([...pathMatched]), language ?? null, language ?? null) as SymbolRow[];
  rows.push(...pathOnly.filter((row) => !found.has(`${row.path}:${row.line}:${row.name}`)));
  // A symbol named exactly as the query (spaces and underscores aside: "total area" is totalArea)
  // comes first — BM25 alone ranks `makeUnitCircle` above `class Circle` for "Circle"; then BM25
  // with the path bonus.
  const squash = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, '');
  const wanted = squash(query);
  const isExact = (row: { name?: string }) => (row.name !== undefined && squash(row.name) === wanted ? 0 : 1);
  const ranked = rows.filter((row) => keep(row.path)).sort((a, b) => isExact(a) - isExact(b) || a.score - b.score);
  return ranked.map(({ fileId: _fileId, score: _score, ...row }) => ({ ...row, source: 'symbol' as const }));
}

