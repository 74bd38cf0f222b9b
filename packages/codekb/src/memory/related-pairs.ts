/**
 * The pairs of one repo's learnings that consolidation compares: subjects with Jaccard ≥ a
 * threshold, about the same things (`differentThings`). Exact, and fast on the director's own
 * learnings — hundreds alike but for their ticket id and branch, which would otherwise make every
 * pair a candidate:
 *
 * - learnings naming no exact thing pair through the prefix filter (`similar-pairs.ts`), with each
 *   other and with the rest;
 * - two learnings that both name exact things can only be about the same things when one's names
 *   are all among the other's, so the one with fewer names shares its rarest name with the other:
 *   each such learning is compared only with the learnings that hold its rarest name.
 */
import { differentThings, type LearningFeatures } from './learning-features.js';
import { similarPairs, type SimilarPair } from './similar-pairs.js';

/** The name of `f` held by the fewest learnings (ties: the first in code-unit order). */
function rarestName(f: LearningFeatures, holders: ReadonlyMap<string, readonly number[]>): string | undefined {
  let rarest: string | undefined;
  let fewest = Infinity;
  for (const name of f.specifics) {
    const count = holders.get(name)?.length ?? 0;
    if (count < fewest || (count === fewest && rarest !== undefined && name < rarest)) {
      rarest = name;
      fewest = count;
    }
  }
  return rarest;
}

/** Pairs of learnings that both name exact things, found through the rarest name of each. */
function namedPairs(features: readonly LearningFeatures[], threshold: number): SimilarPair[] {
  const holders = new Map<string, number[]>();
  features.forEach((f, index) => {
    for (const name of f.specifics) {
      const list = holders.get(name);
      if (list === undefined) holders.set(name, [index]);
      else list.push(index);
    }
  });
  const anchors = features.map((f) => rarestName(f, holders));
  const subjects = features.map((f) => new Set(f.subject));
  const pairs: SimilarPair[] = [];
  features.forEach((f, index) => {
    const anchor = anchors[index];
    if (anchor === undefined) return;
    const size = f.subject.length;
    for (const other of holders.get(anchor) ?? []) {
      if (other === index) continue;
      // Found from both sides when each holds the other's rarest name: kept from the smaller index.
      const otherAnchor = anchors[other] as string;
      if (f.specifics.has(otherAnchor) && other < index) continue;
      const o = features[other] as LearningFeatures;
      const otherSize = o.subject.length;
      if (Math.min(size, otherSize) < threshold * Math.max(size, otherSize) - 1e-9) continue;
      const mine = subjects[index] as Set<string>;
      let common = 0;
      for (const token of o.subject) if (mine.has(token)) common += 1;
      const similarity = common / (size + otherSize - common);
      if (similarity < threshold - 1e-9 || differentThings(f, o)) continue;
      pairs.push(other < index ? { a: other, b: index, jaccard: similarity } : { a: index, b: other, jaccard: similarity });
    }
  });
  return pairs;
}

/**
 * @example
 * relatedPairs([learningFeatures('vitest works'), learningFeatures('vitest fails')], 0.6);
 * // [{ a: 0, b: 1, jaccard: 1 }]
 */
export function relatedPairs(features: readonly LearningFeatures[], threshold: number): SimilarPair[] {
  const named = (index: number): boolean => (features[index] as LearningFeatures).specifics.size > 0;
  const throughWords = similarPairs(
    features.map((f) => f.subject),
    threshold,
    { probeOnly: named, accept: (a, b) => !differentThings(features[a] as LearningFeatures, features[b] as LearningFeatures) },
  );
  return [...throughWords, ...namedPairs(features, threshold)].sort((x, y) => x.a - y.a || x.b - y.b);
}
