import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { globToRegExp } from '../query/glob.js';
import { inTextSnapshot, type RepoIndex } from '../query/repo-index.js';
import { readSignature, SIGNATURE_PLACE, type SignaturePlace } from '../query/symbol-text.js';
import { search, type SearchHit, type SearchOptions } from '../query/search.js';
import type { VectorBackend } from './backend.js';
import { isVectorError } from './errors.js';
import type { VectorMatch } from './store.js';

/** The usual constant of reciprocal-rank fusion: damps the head of each list so neither dominates. */
const RRF_K = 60;
const DEFAULT_LIMIT = 20;
/** Ranked hits taken from each list before fusing: fusion needs more than the final few. */
const MIN_POOL = 50;
/** Vector hits are filtered by language and path after the query, so fetch more when filters apply. */
const FILTERED_POOL_FACTOR = 5;
const MAX_POOL = 200;
/** An agent waits for search: past this, the vector side is dropped and BM25 answers alone. */
const DEFAULT_VECTOR_TIMEOUT_MS = 5000;

export interface HybridSearchOptions extends SearchOptions {
  /** The vector backend; without one (or with `literal`) this is `search` itself. */
  vectors?: VectorBackend;
  vectorTimeoutMs?: number;
}

/** How the vector side took part in a search. */
export type VectorParticipation = { status: 'off' } | { status: 'used' } | { status: 'failed'; code: string; message: string };

export interface HybridSearchResult {
  hits: SearchHit[];
  vectors: VectorParticipation;
  /** Said in the answer when vectors were configured but could not be used. */
  note?: string;
}

/**
 * Ranked search over both the BM25 index (`search`) and the vector backend, merged by reciprocal-rank
 * fusion; every hit keeps the `path:line` citation of a `SearchHit`. `literal` never uses vectors.
 * When the embedder or Qdrant fails (or takes longer than `vectorTimeoutMs`), the answer is the BM25
 * hits with a `note` saying so.
 *
 * @example
 * const { hits, note } = await hybridSearch(repo, 'retry with backoff', { vectors, language: 'typescript' });
 */
export async function hybridSearch(repo: RepoIndex, query: string, options: HybridSearchOptions = {}): Promise<HybridSearchResult> {
  const { vectors, vectorTimeoutMs, ...searchOptions } = options;
  if (vectors === undefined || options.literal === true) return { hits: await search(repo, query, searchOptions), vectors: { status: 'off' } };
  const limit = options.limit ?? DEFAULT_LIMIT;
  const filtered = options.language !== undefined || options.path !== undefined;
  const pool = Math.min(MAX_POOL, Math.max(MIN_POOL, limit) * (filtered ? FILTERED_POOL_FACTOR : 1));
  const [bm25, nearest] = await Promise.all([
    search(repo, query, { ...searchOptions, limit: Math.max(limit, MIN_POOL) }),
    nearestChunks(vectors, query, pool, vectorTimeoutMs ?? DEFAULT_VECTOR_TIMEOUT_MS),
  ]);
  if (!nearest.ok) {
    const note = `vector search unavailable, BM25 results only (${nearest.code}: ${nearest.message})`;
    return { hits: bm25.slice(0, limit), vectors: { status: 'failed', code: nearest.code, message: nearest.message }, note };
  }
  // A chunk with no similarity at all to the query is not a hit, however few the chunks are.
  const semantic = await citedMatches(repo, nearest.matches.filter((match) => match.score > 0), options);
  // A symbol named exactly as the query stays first, as `search` ranks it (BM25 alone would not).
  const exact = bm25.filter((hit) => isNamed(hit, query));
  return { hits: fuse([exact, bm25, semantic]).slice(0, limit), vectors: { status: 'used' } };
}

/** `hit` is a symbol named as the query, case, spaces and underscores aside ("total area" is totalArea). */
function isNamed(hit: SearchHit, query: string): boolean {
  const squash = (text: string): string => text.toLowerCase().replace(/[\s_-]+/g, '');
  return hit.source === 'symbol' && hit.name !== undefined && squash(hit.name) === squash(query);
}

type Nearest = { ok: true; matches: VectorMatch[] } | { ok: false; code: string; message: string };

/** The vector query under a deadline; a failure is a value, so BM25 still answers. */
async function nearestChunks(vectors: VectorBackend, query: string, limit: number, timeoutMs: number): Promise<Nearest> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<Nearest>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, code: 'VECTOR_TIMEOUT', message: `no answer from the vector backend within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  const answer = vectors.query(query, limit, { signal: controller.signal }).then(
    (matches): Nearest => ({ ok: true, matches }),
    (error: unknown): Nearest =>
      isVectorError(error) ? { ok: false, code: error.code, message: error.message } : { ok: false, code: 'VECTOR_FAILED', message: (error as Error).message },
  );
  try {
    return await Promise.race([answer, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Vector matches as search hits, checked against the index: a match whose symbol or file is no
 * longer indexed (points not yet refreshed) is dropped, so every citation is one the index holds.
 */
async function citedMatches(repo: RepoIndex, matches: readonly VectorMatch[], options: SearchOptions): Promise<SearchHit[]> {
  const pathFilter = options.path === undefined ? undefined : globToRegExp(options.path);
  const fileLanguage = repo.sqlite.prepare("SELECT coalesce(language, 'text') AS language FROM files WHERE path = ?");
  const symbol = repo.sqlite.prepare(`SELECT ${SIGNATURE_PLACE} FROM symbols s JOIN files f ON f.id = s.file_id WHERE f.path = ? AND s.start_line = ? AND s.name = ? LIMIT 1`);
  // Symbol hits are read in one snapshot of the index and its text store; a text chunk's first
  // line comes from the file after it, in the same order.
  const found = inTextSnapshot(repo, () =>
    matches.map(({ payload }): SearchHit | VectorMatch['payload'] | undefined => {
      if (pathFilter !== undefined && !pathFilter.test(payload.path)) return undefined;
      const file = fileLanguage.get(payload.path) as { language: string } | undefined;
      if (file === undefined || (options.language !== undefined && file.language !== options.language)) return undefined;
      if (payload.kind === 'text') return payload;
      const place = symbol.get(payload.path, payload.line, payload.name) as SignaturePlace | undefined;
      return place === undefined ? undefined : { path: payload.path, line: payload.line, source: 'symbol', text: readSignature(repo, place), name: payload.name, kind: payload.kind };
    }),
  );
  const hits: SearchHit[] = [];
  for (const entry of found) {
    if (entry === undefined) continue;
    if ('source' in entry) {
      hits.push(entry);
      continue;
    }
    const line = await firstTextLine(repo.root, entry.path, entry.line, entry.endLine);
    if (line !== undefined) hits.push({ path: entry.path, line: line.line, source: 'text', text: line.text });
  }
  return hits;
}

/** The first non-blank line of a text chunk, to cite and show. */
async function firstTextLine(root: string, path: string, start: number, end: number): Promise<{ line: number; text: string } | undefined> {
  let lines: string[];
  try {
    lines = (await readFile(join(root, path), 'utf8')).split('\n');
  } catch {
    return undefined; // deleted since it was indexed
  }
  for (let line = start; line <= Math.min(end, lines.length); line++) {
    const text = lines[line - 1]?.trim() ?? '';
    if (text !== '') return { line, text: text.slice(0, 200) };
  }
  return undefined;
}

/**
 * Reciprocal-rank fusion: each hit scores Σ 1 / (RRF_K + rank) over the lists it is in, keyed by its
 * `path:line` citation (within a list only its first hit at a citation counts, so two symbols on
 * one line do not add up). Ties keep the earlier list's order.
 *
 * @example
 * fuse([bm25Hits, vectorHits]); // hits in both lists rise above hits in one
 */
export function fuse(lists: readonly (readonly SearchHit[])[]): SearchHit[] {
  const merged = new Map<string, { hit: SearchHit; score: number }>();
  for (const list of lists) {
    const seen = new Set<string>();
    for (const hit of list) {
      const key = `${hit.path}:${hit.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const score = 1 / (RRF_K + seen.size);
      const entry = merged.get(key);
      if (entry === undefined) merged.set(key, { hit, score });
      else entry.score += score;
    }
  }
  return [...merged.values()].sort((a, b) => b.score - a.score).map((entry) => entry.hit);
}
