import { FILE_SYMBOLS } from '../store/schema.js';
import { ftsQuote, queryWords, splitIdentifier } from '../store/words.js';
import { bestLine, filesWithPathWords, rankFiles, type RankedFile } from './file-rank.js';
import { globToRegExp } from './glob.js';
import { inTextSnapshot, type RepoIndex } from './repo-index.js';
import { SIGNATURE_PLACE, withSignature, type SignaturePlace } from './symbol-text.js';
import { coveringSymbols } from './symbol-cover.js';
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
 * Ranked search. A symbol named as the query comes first, then symbols whose name and container
 * hold every query word (`Circle.area`, `circle area`); then files ranked by BM25 over their
 * path and words (`rankFiles`), each cited by its best symbols (BM25 over names split on
 * camelCase/snake_case and docs), its lines containing the whole query (case aside),
 * or else its line holding the most query words. With `literal`, only exact substrings via the
 * trigram index, each confirmed against the file text.
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
  const words = queryWords(query);
  // One snapshot: symbol hits carry where their signature lies in the text store until the
  // answer is cut to `limit`; only those shown are read.
  return inTextSnapshot(repo, () => {
    const symbols = symbolMatches(repo, query, options.language, keep);
    const covering = coveringSymbols(repo, query, { language: options.language, keep });
    const files = rankFiles(repo, words, { language: options.language, keep, limit });
    const hits = arrangeHits({ symbols, covering, phrase: textMatches(false), files, limit }, (file) => {
      const { line, text } = bestLine(repo, file.fileId, words);
      return { path: file.path, line, source: 'text', text };
    });
    return hits.map((hit) => withSignatureText(repo, hit));
  });
}

/** A search hit as found: a symbol hit knows where its signature lies (`SIGNATURE_PLACE`) but has not read it. */
export type FoundHit = SearchHit | (Omit<SearchHit, 'text'> & SignaturePlace);

/** The hit with a symbol's signature read as its text (in the snapshot it was found in). */
function withSignatureText(repo: RepoIndex, hit: FoundHit): SearchHit {
  if (!('signatureAt' in hit)) return hit;
  const { signature, ...rest } = withSignature(repo, hit);
  return { ...rest, text: signature };
}

/** Symbol hits of one file shown before the next file's (the rest follow all ranked files). */
const SYMBOLS_PER_FILE = 3;

interface RankedHits {
  /** Symbol hits, best first, exact names first (`symbolMatches`). */
  symbols: RankedSymbol[];
  /** Symbols whose name and container hold every query word (`coveringSymbols`). */
  covering: FoundHit[];
  /** Lines containing the whole query, in path and line order. */
  phrase: SearchHit[];
  files: RankedFile[];
  limit: number;
}

/**
 * Exact-name symbols and those covering the query; then each ranked file's best symbols (or the
 * line `cite` finds for a file with none); then the symbols and whole-query lines not shown yet,
 * up to `limit`. No part depends on `limit` but where the list is cut, so a smaller limit gives
 * the head of a bigger one's answer (hybrid search fetches more and fuses).
 */
function arrangeHits(ranked: RankedHits, cite: (file: RankedFile) => SearchHit): FoundHit[] {
  const hits: FoundHit[] = [];
  const seen = new Set<string>();
  const add = (hit: FoundHit): void => {
    const key = `${hit.path}:${hit.line}`;
    if (hits.length >= ranked.limit || seen.has(key)) return;
    seen.add(key);
    hits.push(hit);
  };
  for (const { hit, exact } of ranked.symbols) if (exact) add(hit);
  ranked.covering.forEach(add);
  const symbolsOf = groupByPath(ranked.symbols.filter((entry) => !entry.exact).map((entry) => entry.hit));
  for (const file of ranked.files) {
    if (hits.length >= ranked.limit) break;
    const own = (symbolsOf.get(file.path) ?? []).slice(0, SYMBOLS_PER_FILE);
    (own.length > 0 ? own : [cite(file)]).forEach(add);
  }
  for (const { hit } of ranked.symbols) add(hit);
  ranked.phrase.forEach(add);
  return hits;
}

function groupByPath(hits: readonly FoundHit[]): Map<string, FoundHit[]> {
  const byPath = new Map<string, FoundHit[]>();
  for (const hit of hits) {
    const list = byPath.get(hit.path);
    if (list === undefined) byPath.set(hit.path, [hit]);
    else list.push(hit);
  }
  return byPath;
}

/** Added to a symbol's BM25 score (lower is better) when its file's path holds a query term. */
const PATH_BONUS = 4;
/** Top-level symbols of files matched by path alone, taken after the symbols matched by content. */
const PATH_ONLY_SYMBOLS = 100;

type SymbolRow = Omit<SearchHit, 'source' | 'text'> &
  SignaturePlace & {
    fileId: number;
    score: number;
  };

interface RankedSymbol {
  hit: FoundHit;
  /** Named as the query, case, spaces and underscores aside. */
  exact: boolean;
}

function symbolMatches(repo: RepoIndex, query: string, language: string | undefined, keep: (path: string) => boolean): RankedSymbol[] {
  const terms = new Set<string>();
  for (const word of query.split(/\s+/).filter((w) => w !== '')) {
    for (const term of [word.toLowerCase(), ...splitIdentifier(word)]) if (/\w/.test(term)) terms.add(term.replace(/[^\w]/g, ''));
  }
  terms.delete('');
  if (terms.size === 0) return [];
  const match = [...terms].map(ftsQuote).join(' OR ');
  const columns = `s.file_id AS fileId, f.path, s.start_line AS line, ${SIGNATURE_PLACE}, s.name, s.kind`;
  const languageFilter = `(? IS NULL OR coalesce(f.language, 'text') = ?)`;
  const rows = repo.sqlite
    .prepare(
      `SELECT ${columns}, bm25(symbols_fts, 10.0, 1.0) AS score
       FROM symbols_fts JOIN symbols s ON s.id = symbols_fts.rowid JOIN files f ON f.id = s.file_id
       WHERE symbols_fts MATCH ? AND ${languageFilter} ORDER BY score LIMIT 500`,
    )
    .all(match, language ?? null, language ?? null) as SymbolRow[];
  const pathMatched = filesWithPathWords(repo, [...terms]);
  for (const row of rows) if (pathMatched.has(row.fileId)) row.score -= PATH_BONUS;
  const found = new Set(rows.map((row) => `${row.path}:${row.line}:${row.name}`));
  const pathOnly = repo.sqlite
    .prepare(
      `SELECT ${columns}, ${-PATH_BONUS} AS score FROM files f JOIN symbols s ON ${FILE_SYMBOLS}
       WHERE f.id IN (SELECT value FROM json_each(?)) AND s.parent_id IS NULL AND ${languageFilter}
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
  return ranked.map(({ fileId: _fileId, score: _score, ...row }) => ({ hit: { ...row, source: 'symbol' as const }, exact: isExact(row) === 0 }));
}

