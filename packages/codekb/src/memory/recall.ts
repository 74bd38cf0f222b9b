import { toLearning, type Learning, type MemoryRow } from './model.js';
import type { MemoryStore } from './store.js';

/** A recalled learning with how it ranked. */
export interface RecallHit extends Learning {
  /** `relevance × (RECENCY_FLOOR + (1 − RECENCY_FLOOR) × recency) × evidence`, × CONTESTED_FACTOR when contested; in (0, 1.5]. */
  score: number;
  /** BM25 relative to the best match of this query, in (0, 1]. */
  relevance: number;
  /** `exp(−ageDays / RECENCY_DAYS)` of `updatedAt`, in (0, 1]. */
  recency: number;
  /** `evidenceFactor(timesLearned)`, in [1, 1.5]: a lesson learned again and again ranks higher. */
  evidence: number;
}

/** The e-folding time of recency: a learning untouched for 30 days keeps 1/e of its recency. */
export const RECENCY_DAYS = 30;
/** The part of a score recency cannot take away: an old, exact learning still beats a new, vague one. */
export const RECENCY_FLOOR = 0.5;
/** BM25 weights of the FTS columns: text, tags (a tag match says more than a word in the text). */
const COLUMN_WEIGHTS = '1.0, 2.0';
/** Candidates taken by BM25 before re-ranking with recency; memory stores are small. */
const CANDIDATES = 500;
const DEFAULT_LIMIT = 10;
/** What a contested learning's score is multiplied by: another current learning says the opposite. */
export const CONTESTED_FACTOR = 0.8;

/**
 * `1 + 0.25 × log2(min(timesLearned, 4))`: 1 for a lesson learned once, 1.25 twice, 1.5 from four
 * times on — consolidated lessons rank above lone ones of equal relevance and age, and evidence
 * stays a nudge, never a trump over relevance.
 */
export function evidenceFactor(timesLearned: number): number {
  return 1 + 0.25 * Math.log2(Math.min(Math.max(timesLearned, 1), 4));
}
const DAY_MS = 86_400_000;

/** The query's words, each quoted, ORed: any word matches, BM25 favours learnings with more. */
function matchExpression(query: string): string | undefined {
  const words = [...new Set(query.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])];
  return words.length === 0 ? undefined : words.map((word) => `"${word}"`).join(' OR ');
}

/**
 * Learnings relevant to `query`, best first. Ranking is deterministic for a given clock:
 *
 *     relevance = bm25 / bestBm25              (FTS5 BM25, text weight 1, tags 2; best match = 1)
 *     recency   = exp(−ageDays / 30)           (age of updatedAt at memory.now())
 *     evidence  = 1 + 0.25 × log2(min(timesLearned, 4))
 *     score     = relevance × (0.5 + 0.5 × recency) × evidence × (contested ? 0.8 : 1)
 *
 * so of two equally relevant learnings the more recent ranks first, recency at most halves a
 * score, a consolidated lesson (learned several times) is preferred and a contested one is pushed
 * down. Superseded learnings (merged into another, or overruled) are never recalled. Ties break by
 * newer `updatedAt`, then id. `repo` keeps that repo's and global learnings.
 *
 * @example
 * recall(memory, { query: 'flaky vitest pool', limit: 5, repo: 'github.com/acme/app' });
 */
export function recall(memory: MemoryStore, options: { query: string; limit?: number; repo?: string }): RecallHit[] {
  const match = matchExpression(options.query);
  if (match === undefined) return [];
  const rows = memory.sqlite
    .prepare(
      `SELECT m.*, -bm25(memories_fts, ${COLUMN_WEIGHTS}) AS bm25 FROM memories_fts JOIN memories m ON m.seq = memories_fts.rowid
       WHERE memories_fts MATCH ? AND m.superseded_by IS NULL AND (? IS NULL OR m.repo = ? OR m.repo IS NULL)
       ORDER BY bm25 DESC LIMIT ?`,
    )
    .all(match, options.repo ?? null, options.repo ?? null, CANDIDATES) as (MemoryRow & { bm25: number })[];
  const best = Math.max(...rows.map((row) => row.bm25), Number.MIN_VALUE);
  const now = memory.now();
  return rows
    .map((row) => {
      const relevance = Math.max(row.bm25, Number.MIN_VALUE) / best;
      const recency = Math.exp(-Math.max(0, now - row.updated_at) / DAY_MS / RECENCY_DAYS);
      const evidence = evidenceFactor(row.times_learned);
      const score = relevance * (RECENCY_FLOOR + (1 - RECENCY_FLOOR) * recency) * evidence * (row.contested === 1 ? CONTESTED_FACTOR : 1);
      return { ...toLearning(row), score, relevance, recency, evidence, updatedMs: row.updated_at };
    })
    .sort((a, b) => b.score - a.score || b.updatedMs - a.updatedMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, options.limit ?? DEFAULT_LIMIT)
    .map(({ updatedMs: _updatedMs, ...hit }) => hit);
}
