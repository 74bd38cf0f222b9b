import { ftsQuote } from '../store/words.js';
import { inTextSnapshot, type RepoIndex } from './repo-index.js';

/**
 * A query word in a file's path counts this many times one in its text (the bm25 column weights of
 * `files_fts`). Chosen on the odd half of this repository's commit subjects (`bench/retrieval.mjs`
 * reports both halves): 2 → 4 → 8 moved MRR by about ±0.01, 1 was clearly worse.
 */
const PATH_WEIGHT = 4;
/** Files ranked by the index before the path glob is applied (a glob may drop most of them). */
const CANDIDATE_FILES = 500;
/** Characters of a line shown in a hit (as for text hits). */
const HIT_TEXT_CHARS = 200;

/** A file ranked by `rankFiles`, best first. */
export interface RankedFile {
  fileId: number;
  path: string;
}

export interface RankFilesOptions {
  language: string | undefined;
  keep: (path: string) => boolean;
  limit: number;
}

/**
 * Files ranked by BM25 over their path words and the distinct words of their text (`files_fts`),
 * any query word matching: the file-level half of ranked search, what finds the files a
 * natural-language request is about.
 *
 * @example
 * rankFiles(repo, ['trigram', 'chunks'], { language: undefined, keep: () => true, limit: 20 });
 */
export function rankFiles(repo: RepoIndex, words: readonly string[], options: RankFilesOptions): RankedFile[] {
  if (words.length === 0) return [];
  const rows = repo.sqlite
    .prepare(
      `SELECT f.id AS fileId, f.path FROM files_fts JOIN files f ON f.id = files_fts.rowid
       WHERE files_fts MATCH ? AND (? IS NULL OR coalesce(f.language, 'text') = ?)
       ORDER BY bm25(files_fts, ${PATH_WEIGHT}, 1.0) LIMIT ${CANDIDATE_FILES}`,
    )
    .all(words.map(ftsQuote).join(' OR '), options.language ?? null, options.language ?? null) as RankedFile[];
  const kept: RankedFile[] = [];
  for (const row of rows) {
    if (kept.length >= options.limit) break;
    if (options.keep(row.path)) kept.push(row);
  }
  return kept;
}

/** Ids of the files whose path holds one of `words`. */
export function filesWithPathWords(repo: RepoIndex, words: readonly string[]): Set<number> {
  if (words.length === 0) return new Set();
  const match = `path : (${words.map(ftsQuote).join(' OR ')})`;
  return new Set(repo.sqlite.prepare('SELECT rowid FROM files_fts WHERE files_fts MATCH ?').pluck().all(match) as number[]);
}

/**
 * The line of a file holding the most of `words` (as substrings, case aside; the first of equals),
 * with its text: the citation for a file ranked by its words that has no symbol or phrase hit.
 * Line 1 when no line holds any (the words were in its path).
 */
export function bestLine(repo: RepoIndex, fileId: number, words: readonly string[]): { line: number; text: string } {
  const text = fileText(repo, fileId);
  let best = { line: 1, text: '', count: 0 };
  if (text !== null) {
    const firstLine = 1;
    const lines = text.split('\n');
    for (const [index, line] of lines.entries()) {
      if (best.text === '' && index === 0 && firstLine === 1) best.text = line.trim().slice(0, HIT_TEXT_CHARS);
      const folded = line.toLowerCase();
      let count = 0;
      for (const word of words) if (folded.includes(word)) count++;
      if (count > best.count) best = { line: firstLine + index, text: line.trim().slice(0, HIT_TEXT_CHARS), count };
    }
  }
  return { line: best.line, text: best.text };
}

/** A file's indexed text (as of one snapshot of the index), or null when it has none. */
export function fileText(repo: RepoIndex, fileId: number): string | null {
  return inTextSnapshot(repo, () => {
    const row = repo.sqlite.prepare('SELECT text_offset AS at, text_length AS length FROM files WHERE id = ?').get(fileId) as
      | { at: number | null; length: number | null }
      | undefined;
    if (row?.at == null || row.length == null) return null;
    return repo.text.read(row.at, row.length).toString('utf8');
  });
}
