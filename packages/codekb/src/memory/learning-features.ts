/**
 * What a learning's text is about, reduced to a few comparable features for consolidation
 * (`consolidate.ts`). Deterministic, no model: words are lower-cased, stop words dropped, a light
 * suffix stripper folds `tests`/`tested`/`testing` into `test`, and a short table folds opposite
 * verbs into one word plus a negation (`fails` = not `works`, `avoid` = not `use`), so
 * "vitest works with --pool=forks" and "vitest fails with --pool=forks" have the same subject and
 * opposite polarity.
 */

/** The features of one learning's text. */
export interface LearningFeatures {
  /** Sorted distinct subject tokens: content words (stemmed, opposites folded) and specifics. */
  subject: string[];
  /** The same tokens in the order they first appear in the text. */
  sequence: string[];
  /**
   * Tokens that name one exact thing — a number, a path, a flag, an id, a camelCase or snake_case
   * name (`#12`, `--pool=forks`, `src/auth.ts`, `pnpm@9`, `useEffect`). Two learnings that each name
   * one the other lacks are about different things (`ticket a#1` and `ticket a#2`), however alike.
   */
  specifics: Set<string>;
  /** The numbers among the specifics (`9`, `v2.1`, `#12`), in the order they first appear. */
  numberOrder: string[];
  /** The text negates its claim an odd number of times (`not`, `never`, `doesn't`, `fails`, `avoid`…). */
  negated: boolean;
}

const STOP_WORDS = new Set(
  (
    'a an the and or but if then else of to in on at for with by from as is are was were be been being it its ' +
    "it's this that these those do does did done doing has have had having will would shall should must can could " +
    'may might so than too very just also here there when what which who whom whose we you i they he she our your ' +
    'their me us them my all any some into out up about over again once only own same such both each few more most ' +
    'other via per while where how why now ever yet still even really always because since therefore thus hence wo ca ai sha e.g i.e etc'
  ).split(' '),
);

/** Words that negate what follows: dropped from the subject, counted for polarity. */
const NEGATIONS = new Set(['not', 'no', 'never', 'without', 'nor', 'cannot', 'none', 'neither', 'nothing']);

/**
 * Opposites folded into one canonical word; `true` marks the negative side. Kept short and
 * unambiguous in learnings about code: what worked, what failed, what to use or avoid.
 */
const OPPOSITE_WORDS: Record<string, readonly [string, boolean]> = {
  work: ['work', false], succeed: ['work', false], success: ['work', false], successful: ['work', false],
  fail: ['work', true], failure: ['work', true], broken: ['work', true], break: ['work', true], broke: ['work', true],
  crash: ['work', true], use: ['use', false], prefer: ['use', false], avoid: ['use', true],
  enable: ['enable', false], disable: ['enable', true], correct: ['correct', false], incorrect: ['correct', true],
  wrong: ['correct', true], need: ['need', false], necessary: ['need', false], required: ['need', false],
  require: ['need', false], unnecessary: ['need', true], needless: ['need', true], unneeded: ['need', true],
  safe: ['safe', false], unsafe: ['safe', true], enough: ['enough', false], insufficient: ['enough', true],
};
const OPPOSITES: ReadonlyMap<string, readonly [string, boolean]> = new Map(Object.entries(OPPOSITE_WORDS));

const EDGE_PUNCTUATION = /^[\s"'`«»“”‘’()[\]{}<>,;:!?.…*]+|[\s"'`«»“”‘’()[\]{}<>,;:!?.…*]+$/gu;
/** A number, a version or an issue number: `9`, `300`, `v2.1.0`, `#12`. */
const NUMBER = /^[#v]?\p{N}+(?:[.,]\p{N}+)*$/u;
/** A token naming an exact thing: holds a digit, or inner `/ . _ - # @ = :`, or a camelCase hump. */
const SPECIFIC = /\p{N}|[\p{L}\p{N}][/._\-#@=:]+[\p{L}\p{N}]|^[-/#@]|\p{Ll}\p{Lu}/u;

/**
 * A light suffix stripper (not Porter): `-ies` → `-y`, `-es`/`-s`, `-ing`, `-ed`, a doubled final
 * consonant undone (`running` → `run`), a final `e` dropped (`recycled`, `recycles` → `recycl`). It
 * only has to fold the same word's forms alike.
 */
export function stem(word: string): string {
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 4 && /(?:sh|ch|x|ss)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed')) w = w.slice(0, -2);
  if (w.length > 3 && /([b-df-hj-np-tv-z])\1$/.test(w) && !/(?:ll|ss|zz)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  return w;
}

/** The canonical word and whether it flips the polarity, or null for a stop word. */
function foldWord(word: string): { word: string; flips: boolean } | null {
  if (NEGATIONS.has(word)) return { word: '', flips: true };
  if (STOP_WORDS.has(word)) return null;
  const direct = OPPOSITES.get(word);
  if (direct !== undefined) return { word: direct[0], flips: direct[1] };
  const stemmed = stem(word);
  const folded = OPPOSITES.get(stemmed) ?? OPPOSITES.get(`${stemmed}e`);
  if (folded !== undefined) return { word: folded[0], flips: folded[1] };
  return { word: stemmed, flips: false };
}

/**
 * @example
 * learningFeatures("vitest doesn't work with --pool=threads");
 * // { subject: ['--pool=threads', 'vitest', 'work'], sequence: ['vitest', 'work', '--pool=threads'], specifics: Set {'--pool=threads'}, numberOrder: [], negated: true }
 */
export function learningFeatures(text: string): LearningFeatures {
  const subject = new Set<string>();
  const specifics = new Set<string>();
  let flips = 0;
  for (const raw of text.normalize('NFKC').split(/\s+/u)) {
    const token = raw.replace(EDGE_PUNCTUATION, '');
    const lower = token.toLowerCase();
    if (!/[\p{L}\p{N}]/u.test(token) || STOP_WORDS.has(lower)) continue;
    if (SPECIFIC.test(token) && !/^\p{L}+n['’]t$/iu.test(token)) {
      specifics.add(lower);
      subject.add(lower);
      continue;
    }
    if (/n['’]t$/u.test(lower)) flips += 1; // don't, doesn't, isn't, won't, can't
    for (const word of lower.replace(/n['’]t$/u, '').match(/[\p{L}\p{N}]+/gu) ?? []) {
      const folded = foldWord(word);
      if (folded === null) continue;
      if (folded.flips) flips += 1;
      if (folded.word !== '') subject.add(folded.word);
    }
  }
  return { subject: [...subject].sort(), sequence: [...subject], specifics, numberOrder: [...specifics].filter((token) => NUMBER.test(token)), negated: flips % 2 === 1 };
}

/**
 * The same sentence with words swapped in place — "vitest needs --force in the cli" and "docker
 * needs --force in the cli" —, which says the same of a different thing. A rewording moves words
 * around, adds or drops some; this only replaces them, one for one, where they stood.
 */
export function swappedInPlace(a: LearningFeatures, b: LearningFeatures): boolean {
  if (a.sequence.length !== b.sequence.length) return false;
  const inA = new Set(a.sequence);
  const inB = new Set(b.sequence);
  let swapped = 0;
  for (let i = 0; i < a.sequence.length; i++) {
    const x = a.sequence[i] as string;
    const y = b.sequence[i] as string;
    if (x === y) continue;
    if (inB.has(x) || inA.has(y)) return false;
    swapped += 1;
  }
  return swapped > 0;
}

/** About different things, however alike their words: different exact names, or words swapped in place. */
export function differentThings(a: LearningFeatures, b: LearningFeatures): boolean {
  return conflictingSpecifics(a, b) || swappedInPlace(a, b);
}

/** Each names an exact thing the other does not: they are about different things. */
export function conflictingSpecifics(a: LearningFeatures, b: LearningFeatures): boolean {
  const onlyIn = (x: Set<string>, y: Set<string>): boolean => {
    for (const token of x) if (!y.has(token)) return true;
    return false;
  };
  return onlyIn(a.specifics, b.specifics) && onlyIn(b.specifics, a.specifics);
}

/**
 * The numbers both name appear in the same order in each: "use pnpm 9, not 8" is not "use pnpm 8,
 * not 9", though their word sets are equal. (Other names may move: a rewording reorders them.)
 */
export function sameNumberOrder(a: LearningFeatures, b: LearningFeatures): boolean {
  const inA = a.numberOrder.filter((token) => b.specifics.has(token));
  const inB = b.numberOrder.filter((token) => a.specifics.has(token));
  return inA.every((token, index) => inB[index] === token);
}

/** Each has a subject token the other lacks: one word was replaced by another, not only added or dropped. */
export function substituted(a: LearningFeatures, b: LearningFeatures): boolean {
  const inA = new Set(a.subject);
  const inB = new Set(b.subject);
  return a.subject.some((token) => !inB.has(token)) && b.subject.some((token) => !inA.has(token));
}
