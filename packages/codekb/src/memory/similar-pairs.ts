/**
 * Every pair of token sets whose Jaccard similarity reaches a threshold, without comparing every
 * pair: the all-pairs prefix filter (Bayardo, Ma, Srikant 2007; Xiao et al. 2008). Tokens are
 * ordered rarest first; a set of n tokens can only reach Jaccard ≥ t with a set that shares one of
 * its first `n − ⌈t·n⌉ + 1` tokens, so only those are indexed and probed, and a candidate whose size
 * cannot reach t is skipped. Exact: it finds the same pairs as comparing all of them.
 */

/** Two sets (indexes into the input) and their Jaccard similarity. */
export interface SimilarPair {
  a: number;
  b: number;
  jaccard: number;
}

/** Sets as ascending arrays of token ranks (rarest token = 0), so prefixes hold the rarest tokens. */
function rankTokens(sets: readonly (readonly string[])[]): Int32Array[] {
  const frequency = new Map<string, number>();
  for (const set of sets) for (const token of set) frequency.set(token, (frequency.get(token) ?? 0) + 1);
  const ordered = [...frequency.keys()].sort((x, y) => (frequency.get(x) ?? 0) - (frequency.get(y) ?? 0) || (x < y ? -1 : x > y ? 1 : 0));
  const rank = new Map(ordered.map((token, index) => [token, index]));
  return sets.map((set) => Int32Array.from(set, (token) => rank.get(token) ?? 0).sort());
}

/** |x ∩ y| of two ascending arrays. */
function overlap(x: Int32Array, y: Int32Array): number {
  let i = 0;
  let j = 0;
  let common = 0;
  while (i < x.length && j < y.length) {
    const a = x[i] as number;
    const b = y[j] as number;
    if (a === b) {
      common += 1;
      i += 1;
      j += 1;
    } else if (a < b) i += 1;
    else j += 1;
  }
  return common;
}

/**
 * The pairs of `sets` (each a list of distinct tokens) with Jaccard ≥ `threshold` (0 < t ≤ 1), each
 * once with `a < b`, ordered by `a` then `b`. Empty sets pair with nothing. `accept(a, b)` may turn
 * a candidate down before its overlap is counted (cheaper than filtering the pairs afterwards).
 * Sets for which `probeOnly(i)` holds are matched against the others but not with each other (they
 * come last and are never indexed): how a caller pairs them among themselves is its own business.
 *
 * @example
 * similarPairs([['vitest', 'pool', 'fork'], ['vitest', 'pool', 'fork', 'crash'], ['docker']], 0.7);
 * // [{ a: 0, b: 1, jaccard: 0.75 }]
 */
export function similarPairs(
  sets: readonly (readonly string[])[],
  threshold: number,
  options: { accept?: (a: number, b: number) => boolean; probeOnly?: (i: number) => boolean } = {},
): SimilarPair[] {
  if (!(threshold > 0 && threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], not ${threshold}`);
  const accept = options.accept ?? (() => true);
  const probeOnly = options.probeOnly ?? (() => false);
  const ranked = rankTokens(sets);
  const index = new Map<number, number[]>();
  const seenBy = new Int32Array(sets.length).fill(-1);
  const pairs: SimilarPair[] = [];
  const order = [...ranked.keys()].sort((x, y) => Number(probeOnly(x)) - Number(probeOnly(y)) || x - y);
  for (const current of order) {
    const set = ranked[current] as Int32Array;
    const size = set.length;
    if (size === 0) continue;
    const indexed = !probeOnly(current);
    const prefix = size - Math.ceil(threshold * size - 1e-9) + 1;
    for (let p = 0; p < prefix; p++) {
      const token = set[p] as number;
      const posting = index.get(token);
      if (posting === undefined) {
        if (indexed) index.set(token, [current]);
        continue;
      }
      for (const other of posting) {
        if (seenBy[other] === current) continue;
        seenBy[other] = current;
        const otherSet = ranked[other] as Int32Array;
        const [small, large] = size < otherSet.length ? [size, otherSet.length] : [otherSet.length, size];
        if (small < threshold * large - 1e-9 || !accept(other, current)) continue;
        const common = overlap(set, otherSet);
        const jaccard = common / (size + otherSet.length - common);
        if (jaccard >= threshold - 1e-9) pairs.push(other < current ? { a: other, b: current, jaccard } : { a: current, b: other, jaccard });
      }
      if (indexed) posting.push(current);
    }
  }
  return pairs.sort((x, y) => x.a - y.a || x.b - y.b);
}
