import { ftsQuote } from '../store/words.js';
import type { RepoIndex } from './repo-index.js';

/** A line of indexed file text that contains the query. */
export interface TextHit {
  path: string;
  line: number;
  text: string;
}

export interface TextScanOptions {
  /** Exact bytes (like `rg -F`) when true; otherwise case-insensitive. */
  caseSensitive: boolean;
  language?: string;
  keep: (path: string) => boolean;
  /** Stop after the file in which this many hits were reached. */
  stopAfter?: number;
}

/** Trigrams ANDed into one candidate query; more only narrow an already tiny candidate set. */
const MAX_TRIGRAMS = 24;
/** Characters of a matching line shown in a hit. */
const HIT_TEXT_CHARS = 200;
const NEWLINE = 0x0a;

/**
 * Lines of indexed text containing `query`, in path and line order: the trigram index proposes
 * line-aligned chunks of files, and each is confirmed against the text kept in the index (no disk reads, so a file is
 * reported as it was last indexed — the watcher keeps that within a second of an edit).
 *
 * @example
 * scanText(repo, 'TODO(', { caseSensitive: true, keep: () => true });
 */
export function scanText(repo: RepoIndex, query: string, options: TextScanOptions): TextHit[] {
  if (query === '') return [];
  const bodyOf = repo.sqlite.prepare('SELECT body FROM chunks WHERE id = ?').pluck();
  const hits: TextHit[] = [];
  const needle = options.caseSensitive ? Buffer.from(query, 'utf8') : query.toLowerCase();
  for (const chunk of candidateChunks(repo, query, options.language)) {
    if (!options.keep(chunk.path)) continue;
    const body = bodyOf.get(chunk.id) as Buffer | undefined;
    if (body === undefined) continue;
    const at = { path: chunk.path, firstLine: chunk.firstLine };
    if (typeof needle === 'string') matchFolded(body.toString('utf8'), needle, at, hits);
    else matchBytes(body, needle, at, hits);
    if (options.stopAfter !== undefined && hits.length >= options.stopAfter) break;
  }
  return hits;
}

/** One hit per line holding `needle` byte for byte (line numbers counted as the scan goes). */
function matchBytes(body: Buffer, needle: Buffer, { path, firstLine }: ChunkPlace, hits: TextHit[]): void {
  let at = body.indexOf(needle);
  let line = firstLine;
  let lineStart = 0;
  while (at !== -1) {
    for (let nl = body.indexOf(NEWLINE, lineStart); nl !== -1 && nl < at; nl = body.indexOf(NEWLINE, lineStart)) {
      line++;
      lineStart = nl + 1;
    }
    const lineEnd = endOfLine(body, at);
    hits.push({ path, line, text: body.toString('utf8', lineStart, lineEnd).trim().slice(0, HIT_TEXT_CHARS) });
    at = lineEnd >= body.length ? -1 : body.indexOf(needle, lineEnd + 1);
  }
}

function endOfLine(body: Buffer, from: number): number {
  const nl = body.indexOf(NEWLINE, from);
  return nl === -1 ? body.length : nl;
}

function matchFolded(text: string, needle: string, place: ChunkPlace, hits: TextHit[]): void {
  if (text.toLowerCase().includes(needle)) matchLines(text, needle, place, hits);
}

/** Line by line, for case-insensitive matches (lower-casing may change lengths, so no offsets). */
function matchLines(text: string, needle: string, { path, firstLine }: ChunkPlace, hits: TextHit[]): void {
  for (const [index, line] of text.split('\n').entries()) {
    if (line.toLowerCase().includes(needle)) hits.push({ path, line: firstLine + index, text: line.trim().slice(0, HIT_TEXT_CHARS) });
  }
}

interface ChunkPlace {
  path: string;
  firstLine: number;
}

interface CandidateChunk extends ChunkPlace {
  id: number;
}

/**
 * Chunks that may contain `query`, in path and line order: every trigram present (case-folded),
 * or every chunk of text for queries under three characters.
 */
function candidateChunks(repo: RepoIndex, query: string, language: string | undefined): CandidateChunk[] {
  const chars = Array.from(query);
  const filter = `(? IS NULL OR coalesce(f.language, 'text') = ?)`;
  const columns = 'c.id, f.path, c.first_line AS firstLine';
  if (chars.length < 3) {
    const sql = `SELECT ${columns} FROM chunks c JOIN files f ON f.id = c.file_id WHERE ${filter} ORDER BY f.path, c.first_line`;
    return repo.sqlite.prepare(sql).all(language ?? null, language ?? null) as CandidateChunk[];
  }
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) trigrams.add(chars.slice(i, i + 3).join(''));
  const all = [...trigrams];
  const step = Math.max(1, Math.ceil(all.length / MAX_TRIGRAMS));
  const picked = all.filter((_, i) => i % step === 0 || i === all.length - 1);
  const sql = `SELECT ${columns} FROM content_fts JOIN chunks c ON c.id = content_fts.rowid JOIN files f ON f.id = c.file_id
    WHERE content_fts MATCH ? AND ${filter} ORDER BY f.path, c.first_line`;
  return repo.sqlite.prepare(sql).all(picked.map(ftsQuote).join(' AND '), language ?? null, language ?? null) as CandidateChunk[];
}
