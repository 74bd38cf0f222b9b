/**
 * What a consolidation would do to the current learnings, decided without touching the database
 * (`consolidate.ts` applies it). Pure and deterministic: the same rows give the same plan.
 *
 * 1. Pairs: learnings of the same repo whose subjects (`learning-features.ts`) have Jaccard ≥
 *    CONTRADICTION_SIMILARITY (`related-pairs.ts`: exact, without comparing every pair). A pair in
 *    which each names an exact thing the other lacks (`ticket a#1` / `ticket a#2`, `pnpm 8` / `pnpm 9`), or
 *    which is one sentence with words swapped in place (`vitest needs --force` / `docker needs
 *    --force`), is about different things and left alone.
 * 2. Duplicates: same polarity, same outcome class (success, failure, or note/none), the numbers
 *    both name in the same order, and Jaccard ≥ DUPLICATE_SIMILARITY (SUBSTITUTED_SIMILARITY when
 *    each has a word the other lacks). Learnings are taken best first — most subject tokens (says
 *    the most), then learned most often, then newest, then id — and each one not yet grouped takes
 *    its ungrouped duplicates: it is kept (its text is the group's best), the others are superseded
 *    by it. No chains: every member is a near-duplicate of the kept one itself.
 * 3. Contradictions: opposite polarity ("works" / "fails", "use" / "avoid", a `not`) or opposite
 *    outcomes (success / failure), Jaccard ≥ CONTRADICTION_SIMILARITY, between learnings still
 *    current after step 2. Newest first, the newer one wins when it has at least the evidence
 *    (`timesLearned`) of the older, which is then superseded; when it is not newer or has less
 *    evidence, both stay and are flagged contested.
 */
import { learningFeatures, sameNumberOrder, substituted, type LearningFeatures } from './learning-features.js';
import type { MemoryRow, Outcome } from './model.js';
import { relatedPairs } from './related-pairs.js';
import type { SimilarPair } from './similar-pairs.js';

/**
 * Jaccard of subjects from which two learnings count as saying the same thing. Measured on the
 * realistic learnings of `consolidate.test.ts` (printed by it): rewordings of one lesson score
 * 0.87–1.00, different lessons — many about the same tools and files — at most 0.48.
 */
export const DUPLICATE_SIMILARITY = 0.7;
/**
 * The duplicate threshold when each learning has a word the other lacks (a word replaced, not only
 * added or dropped): "vitest needs --force in the cli: the cache hides stale builds" and the same
 * about docker, reworded, score 0.82 — one replaced name in ten words. From 0.85, a learning of up
 * to 12 words with one word replaced stays apart; a longer rewording with one replaced word merges.
 * (Words replaced where they stood, without rewording, never merge: `swappedInPlace`.) The bench
 * (`bench/memory-consolidate.mjs`) counts false merges.
 */
export const SUBSTITUTED_SIMILARITY = 0.85;
/**
 * Jaccard of subjects from which opposite learnings count as being about the same thing: lower than
 * for duplicates (a denial often drops or adds a word), still above every different-lesson pair.
 */
export const CONTRADICTION_SIMILARITY = 0.6;

/** A learning as the plan sees it: the row with its tags parsed. */
export interface PlanRow {
  row: MemoryRow;
  tags: string[];
}

export interface PlannedMerge {
  keep: MemoryRow;
  replaced: MemoryRow[];
  /** The kept learning after the merge. */
  timesLearned: number;
  tags: string[];
  createdAt: number;
  updatedAt: number;
  outcome: Outcome | null;
}

export interface ConsolidationPlan {
  merges: PlannedMerge[];
  /** Older learnings overruled by newer contradicting ones. */
  overruled: { loser: MemoryRow; winner: MemoryRow }[];
  /** Contradicting pairs neither of which could be preferred; both current, flagged contested. */
  contested: [MemoryRow, MemoryRow][];
}

type OutcomeClass = 'success' | 'failure' | 'neutral';

interface Candidate {
  row: MemoryRow;
  tags: string[];
  features: LearningFeatures;
  outcomeClass: OutcomeClass;
  /** After the merges of step 2. */
  timesLearned: number;
  updatedAt: number;
}

function outcomeClass(outcome: Outcome | null): OutcomeClass {
  return outcome === 'success' || outcome === 'failure' ? outcome : 'neutral';
}

function opposite(a: Candidate, b: Candidate): boolean {
  const outcomes = new Set([a.outcomeClass, b.outcomeClass]);
  return a.features.negated !== b.features.negated || (outcomes.has('success') && outcomes.has('failure'));
}

function byId(a: Candidate, b: Candidate): number {
  return a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0;
}

/** Best first: says the most, learned most often, newest, then id. */
function byQuality(a: Candidate, b: Candidate): number {
  return b.features.subject.length - a.features.subject.length || b.row.times_learned - a.row.times_learned || b.row.updated_at - a.row.updated_at || byId(a, b);
}

function planMerges(candidates: readonly Candidate[], pairs: readonly SimilarPair[]): { merges: PlannedMerge[]; replaced: Set<number> } {
  const duplicatesOf = new Map<number, number[]>();
  for (const { a, b, jaccard } of pairs) {
    const x = candidates[a] as Candidate;
    const y = candidates[b] as Candidate;
    const threshold = substituted(x.features, y.features) ? SUBSTITUTED_SIMILARITY : DUPLICATE_SIMILARITY;
    if (jaccard < threshold || opposite(x, y) || x.outcomeClass !== y.outcomeClass || !sameNumberOrder(x.features, y.features)) continue;
    for (const [from, to] of [[a, b], [b, a]] as const) {
      const list = duplicatesOf.get(from);
      if (list === undefined) duplicatesOf.set(from, [to]);
      else list.push(to);
    }
  }
  const order = [...duplicatesOf.keys()].sort((i, j) => byQuality(candidates[i] as Candidate, candidates[j] as Candidate));
  const grouped = new Set<number>();
  const replaced = new Set<number>();
  const merges: PlannedMerge[] = [];
  for (const keepIndex of order) {
    if (grouped.has(keepIndex)) continue;
    grouped.add(keepIndex);
    const members = (duplicatesOf.get(keepIndex) ?? []).filter((index) => !grouped.has(index)).sort((i, j) => byQuality(candidates[i] as Candidate, candidates[j] as Candidate));
    if (members.length === 0) continue;
    for (const index of members) {
      grouped.add(index);
      replaced.add(index);
    }
    merges.push(mergeOf(candidates[keepIndex] as Candidate, members.map((index) => candidates[index] as Candidate)));
  }
  return { merges, replaced };
}

function mergeOf(keep: Candidate, members: readonly Candidate[]): PlannedMerge {
  const all = [keep, ...members];
  const timesLearned = all.reduce((sum, c) => sum + c.row.times_learned, 0);
  const updatedAt = Math.max(...all.map((c) => c.row.updated_at));
  keep.timesLearned = timesLearned;
  keep.updatedAt = updatedAt;
  return {
    keep: keep.row,
    replaced: members.map((c) => c.row),
    timesLearned,
    tags: [...new Set(all.flatMap((c) => c.tags))].sort(),
    createdAt: Math.min(...all.map((c) => c.row.created_at)),
    updatedAt,
    // Same outcome class throughout; among notes, a stated `note` beats none.
    outcome: keep.row.outcome ?? all.find((c) => c.row.outcome !== null)?.row.outcome ?? null,
  };
}

function planContradictions(candidates: readonly Candidate[], pairs: readonly SimilarPair[], replaced: ReadonlySet<number>): Pick<ConsolidationPlan, 'overruled' | 'contested'> {
  const conflicts = pairs
    .filter(({ a, b }) => !replaced.has(a) && !replaced.has(b) && opposite(candidates[a] as Candidate, candidates[b] as Candidate))
    .map(({ a, b }) => {
      const [x, y] = [candidates[a] as Candidate, candidates[b] as Candidate];
      return x.updatedAt > y.updatedAt || (x.updatedAt === y.updatedAt && x.row.id > y.row.id) ? { newer: x, older: y } : { newer: y, older: x };
    })
    .sort((p, q) => q.newer.updatedAt - p.newer.updatedAt || q.older.updatedAt - p.older.updatedAt || byId(p.newer, q.newer) || byId(p.older, q.older));
  const overruledIds = new Set<string>();
  const overruled: ConsolidationPlan['overruled'] = [];
  const undecided: { newer: Candidate; older: Candidate }[] = [];
  for (const conflict of conflicts) {
    if (overruledIds.has(conflict.newer.row.id) || overruledIds.has(conflict.older.row.id)) continue;
    const decidable = conflict.newer.updatedAt > conflict.older.updatedAt && conflict.newer.timesLearned >= conflict.older.timesLearned;
    if (!decidable) {
      undecided.push(conflict);
      continue;
    }
    overruledIds.add(conflict.older.row.id);
    overruled.push({ loser: conflict.older.row, winner: conflict.newer.row });
  }
  // Flagged only when both are still current once every decidable conflict is settled, so a second
  // run finds exactly the same undecided pairs (idempotence).
  const contested = undecided
    .filter(({ newer, older }) => !overruledIds.has(newer.row.id) && !overruledIds.has(older.row.id))
    .map(({ newer, older }): [MemoryRow, MemoryRow] => [newer.row, older.row]);
  return { overruled, contested };
}

/**
 * The plan for `rows` — current (not superseded) learnings with their tags parsed. Learnings of
 * different repos are never compared.
 */
export function planConsolidation(rows: readonly PlanRow[]): ConsolidationPlan {
  const byRepo = new Map<string | null, Candidate[]>();
  for (const { row, tags } of rows) {
    const candidate: Candidate = { row, tags, features: learningFeatures(row.text), outcomeClass: outcomeClass(row.outcome), timesLearned: row.times_learned, updatedAt: row.updated_at };
    const list = byRepo.get(row.repo);
    if (list === undefined) byRepo.set(row.repo, [candidate]);
    else list.push(candidate);
  }
  const plan: ConsolidationPlan = { merges: [], overruled: [], contested: [] };
  const repos = [...byRepo.keys()].sort((a, b) => (a ?? '').localeCompare(b ?? ''));
  for (const repo of repos) {
    const candidates = (byRepo.get(repo) ?? []).sort((a, b) => (a.row.seq < b.row.seq ? -1 : 1));
    const pairs = relatedPairs(
      candidates.map((c) => c.features),
      CONTRADICTION_SIMILARITY,
    );
    const { merges, replaced } = planMerges(candidates, pairs);
    const { overruled, contested } = planContradictions(candidates, pairs, replaced);
    plan.merges.push(...merges);
    plan.overruled.push(...overruled);
    plan.contested.push(...contested);
  }
  return plan;
}
