import { ftsQuote } from '../store/words.js';
import { inTextSnapshot, type RepoIndex } from './repo-index.js';

/** A line of indexed file text that contains the query (a `search` hit as it is returned). */
export interface TextHit {
  path: string;
  line: number;
  text: string;
  source: 'text';
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
/**
 * Up to this many hits wanted, chunks are read in path order and the scan stops once it has them;
 * for more (every hit), all candidate chunks are read in storage order and the matches sorted after.
 */
const ORDERED_SCAN_MAX_HITS = 1000;
/**
 * Candidate chunks this close in the text store are read with one `pread` (the gap read along):
 * a call costs about what copying this many bytes does.
 */
const READ_GAP_BYTES = 16 * 1024;
/** The most bytes one read brings in (the reader's buffer grows to it). */
const READ_MAX_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/** Bytes of a long line decoded for its hit text: enough for HIT_TEXT_CHARS after leading whitespace (see lineText). */
const DECODE_MAX_BYTES = 1024;

/**
 * Appends the chunk's matching lines to `out` as hits whose path is still '' (the caller knows the
 * path, or learns it later): one object per hit, the one `search` returns. A search for every hit
 * of a common needle makes tens of thousands of them, and each extra object per hit (a line record,
 * then a copy with the path, then one with `source`) survived into the young generation's
 * scavenges (one object per hit took about 30 % off the bench queries' CPU).
 */
type Matcher = (body: Buffer, firstLine: number, out: TextHit[]) => void;

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
  const needle = Buffer.from(query, 'utf8');
  const folded = query.toLowerCase();
  const matcher: Matcher = options.caseSensitive
    ? (body, firstLine, out) => matchBytes(body, needle, firstLine, out)
    : (body, firstLine, out) => matchFolded(body.toString('utf8'), folded, firstLine, out);
  const match = trigramQuery(query);
  if (options.stopAfter !== undefined && options.stopAfter <= ORDERED_SCAN_MAX_HITS) return scanInOrder(repo, match, matcher, options, options.stopAfter);
  return scanAll(repo, match, matcher, options);
}

/**
 * Every hit: the trigram index gives the candidate chunk ids, the reader's chunk map their places
 * in the text store (joining each to its row cost up to 9× the trigram lookup); nearby chunks are
 * read together into one buffer and searched there, and only the chunks that match get their
 * file's path and language, are filtered and sorted.
 */
function scanAll(repo: RepoIndex, match: string | null, matcher: Matcher, options: TextScanOptions): TextHit[] {
  const { found, files } = inTextSnapshot(repo, (generation) => {
    const found: { fileId: number; firstLine: number; hits: TextHit[]; path: string }[] = [];
    let hits: TextHit[] = [];
    const scan = (count: number, fileIdOf: (i: number) => number, firstLineOf: (i: number) => number, posOf: (i: number) => number, lenOf: (i: number) => number): void => {
      for (let first = 0; first < count; ) {
        const start = posOf(first);
        let end = start + lenOf(first);
        let last = first + 1;
        for (; last < count; last++) {
          const pos = posOf(last);
          const len = lenOf(last);
          if (pos < end || pos - end > READ_GAP_BYTES || pos + len - start > READ_MAX_BYTES) break;
          end = pos + len;
        }
        const bytes = repo.text.read(start, end - start);
        for (let i = first; i < last; i++) {
          const pos = posOf(i) - start;
          matcher(bytes.subarray(pos, pos + lenOf(i)), firstLineOf(i), hits);
          if (hits.length === 0) continue;
          found.push({ fileId: fileIdOf(i), firstLine: firstLineOf(i), hits, path: '' });
          hits = [];
        }
        first = last;
      }
    };
    if (match === null) {
      const rows = repo.sqlite.prepare('SELECT file_id, first_line, pos, len FROM chunks ORDER BY id').raw().all() as [number, number, number, number][];
      scan(rows.length, (i) => rows[i]![0], (i) => rows[i]![1], (i) => rows[i]![2], (i) => rows[i]![3]);
    } else {
      // Chunk ids ascending are places in the store ascending (both grow as files are appended,
      // and a compaction keeps the order), which is what reading nearby chunks together wants.
      const map = repo.text.chunks;
      map.refresh(repo.sqlite, generation);
      const ids = repo.sqlite.prepare('SELECT rowid FROM content_fts WHERE content_fts MATCH ? ORDER BY rowid').pluck().all(match) as number[];
      scan(ids.length, (i) => map.fileId[ids[i]!]!, (i) => map.firstLine[ids[i]!]!, (i) => map.pos[ids[i]!]!, (i) => map.len[ids[i]!]!);
    }
    const fileIds = JSON.stringify([...new Set(found.map((chunk) => chunk.fileId))]);
    const files = new Map(
      (repo.sqlite.prepare(`SELECT id, path, coalesce(language, 'text') FROM files WHERE id IN (SELECT value FROM json_each(?))`).raw().all(fileIds) as [number, string, string][]).map(
        ([id, path, language]) => [id, { path, language }],
      ),
    );
    return { found, files };
  });
  const placed = found.filter((chunk) => {
    const file = files.get(chunk.fileId);
    if (file === undefined || (options.language !== undefined && file.language !== options.language) || !options.keep(file.path)) return false;
    chunk.path = file.path;
    return true;
  });
  placed.sort((a, b) => comparePaths(a.path, b.path) || a.firstLine - b.firstLine);
  const out: TextHit[] = [];
  for (const chunk of placed) {
    for (const hit of chunk.hits) {
      hit.path = chunk.path;
      out.push(hit);
    }
  }
  return out;
}

/** The first hits in path and line order: candidates sorted first, each read from the text store in turn, stopping early. */
function scanInOrder(repo: RepoIndex, match: string | null, matcher: Matcher, options: TextScanOptions, stopAfter: number): TextHit[] {
  return inTextSnapshot(repo, () => {
    const hits: TextHit[] = [];
    const chunks = candidateChunks(repo, match, options.language).filter((chunk) => options.keep(chunk.path));
    for (const chunk of chunks) {
      const from = hits.length;
      matcher(repo.text.read(chunk.pos, chunk.len), chunk.firstLine, hits);
      for (let i = from; i < hits.length; i++) hits[i]!.path = chunk.path;
      if (hits.length >= stopAfter) return hits;
    }
    return hits;
  });
}

/** Path order as SQLite's BINARY collation (UTF-8 bytes) gives it for the paths that occur in practice. */
function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One hit per line holding `needle` byte for byte. Lines are counted by jumping from newline to
 * newline with `indexOf` between one match and the next: on the chunks of the slowest bench
 * queries that cost 14–17 ms where a loop over the bytes cost 18–20 (seventh session; an earlier
 * measurement on SQLite's row Buffers had found the loop cheaper).
 */
function matchBytes(body: Buffer, needle: Buffer, firstLine: number, hits: TextHit[]): void {
  let at = body.indexOf(needle);
  let line = firstLine;
  let lineStart = 0;
  let counted = 0;
  while (at !== -1) {
    for (;;) {
      const newline = body.indexOf(NEWLINE, counted);
      if (newline === -1 || newline >= at) break;
      line++;
      lineStart = newline + 1;
      counted = newline + 1;
    }
    const lineEnd = endOfLine(body, at);
    hits.push({ path: '', line, text: lineText(body, lineStart, lineEnd), source: 'text' });
    counted = lineEnd;
    at = lineEnd >= body.length ? -1 : body.indexOf(needle, lineEnd + 1);
  }
}

function endOfLine(body: Buffer, from: number): number {
  const nl = body.indexOf(NEWLINE, from);
  return nl === -1 ? body.length : nl;
}

/**
 * A line's text as a hit shows it: trimmed, at most HIT_TEXT_CHARS. A long line is decoded only as
 * far as those characters can reach (minified files have lines of hundreds of kilobytes).
 */
function lineText(body: Buffer, start: number, end: number): string {
  if (end - start > DECODE_MAX_BYTES) {
    const head = body.toString('utf8', start, start + DECODE_MAX_BYTES).trim();
    // More than the characters shown: the last one, maybe cut in two by the byte limit, is not among them.
    if (head.length > HIT_TEXT_CHARS) return head.slice(0, HIT_TEXT_CHARS);
  }
  const text = body.toString('utf8', start, end).trim();
  return text.length > HIT_TEXT_CHARS ? text.slice(0, HIT_TEXT_CHARS) : text;
}

/** Line by line, for case-insensitive matches (lower-casing may change lengths, so no offsets). */
function matchFolded(text: string, needle: string, firstLine: number, hits: TextHit[]): void {
  if (!text.toLowerCase().includes(needle)) return;
  for (const [index, line] of text.split('\n').entries()) {
    if (line.toLowerCase().includes(needle)) hits.push({ path: '', line: firstLine + index, text: line.trim().slice(0, HIT_TEXT_CHARS), source: 'text' });
  }
}

interface CandidateChunk {
  path: string;
  firstLine: number;
  pos: number;
  len: number;
}

/**
 * The FTS5 query for chunks that may contain `query`: every trigram present (case-folded; at most
 * MAX_TRIGRAMS, evenly spread), or null for queries under three characters (every chunk).
 */
function trigramQuery(query: string): string | null {
  const chars = Array.from(query);
  if (chars.length < 3) return null;
  const trigrams = new Set<string>();
  for (let i = 0; i + 3 <= chars.length; i++) trigrams.add(chars.slice(i, i + 3).join(''));
  const all = [...trigrams];
  const step = Math.max(1, Math.ceil(all.length / MAX_TRIGRAMS));
  const picked = all.filter((_, i) => i % step === 0 || i === all.length - 1);
  return picked.map(ftsQuote).join(' AND ');
}

/** Chunks that may contain the query (`match`, see trigramQuery), in path and line order. */
function candidateChunks(repo: RepoIndex, match: string | null, language: string | undefined): CandidateChunk[] {
  const filter = `(? IS NULL OR coalesce(f.language, 'text') = ?)`;
  const columns = 'f.path, c.first_line AS firstLine, c.pos, c.len';
  const sql =
    match === null
      ? `SELECT ${columns} FROM chunks c JOIN files f ON f.id = c.file_id WHERE ? IS NULL AND ${filter}`
      : `SELECT ${columns} FROM content_fts JOIN chunks c ON c.id = content_fts.rowid JOIN files f ON f.id = c.file_id WHERE content_fts MATCH ? AND ${filter}`;
  const rows = repo.sqlite.prepare(sql).all(match, language ?? null, language ?? null) as CandidateChunk[];
  // Sorted here: ORDER BY over the join costs more than the sort.
  return rows.sort((a, b) => comparePaths(a.path, b.path) || a.firstLine - b.firstLine);
}
