import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  consolidateMemories,
  CONTRADICTION_SIMILARITY,
  differentThings,
  DUPLICATE_SIMILARITY,
  exportMemories,
  importMemories,
  learningFeatures,
  listMemories,
  openMemory,
  recall,
  relatedPairs,
  remember,
  sameNumberOrder,
  similarPairs,
  SUBSTITUTED_SIMILARITY,
  substituted,
  swappedInPlace,
  type MemoryStore,
  type RememberInput,
} from './index.js';
import { MEMORY_MIGRATIONS } from './schema.js';

const DAY = 86_400_000;
const T0 = Date.parse('2025-03-01T00:00:00Z');
const REPO = 'github.com/acme/app';

/**
 * Realistic learnings, grouped by lesson: the learnings of a group say the same thing in other
 * words (they must merge), learnings of different groups are different lessons, many about the same
 * tools (they must not).
 */
const LESSONS: readonly (readonly string[])[] = [
  [
    'Run pnpm build before the tests: the packages import each other from dist.',
    'The tests import the other packages from dist, so run pnpm build before running them.',
    'Run pnpm build before running the tests, because packages import each other from dist.',
  ],
  [
    'Because the native tree-sitter binding leaks memory, the indexer recycles its workers after 2000 files, which frees the parse trees.',
    'The indexer recycles its workers every 2000 files since the native tree-sitter binding leaks memory; that frees the parse trees.',
  ],
  ['vitest needs --pool=forks here: better-sqlite3 crashes in worker threads.', 'better-sqlite3 crashes in vitest worker threads, so vitest needs --pool=forks here.'],
  ['The auth tests mock bcrypt because the real hash takes 300 ms per call.', 'Auth tests mock bcrypt: the real hash takes 300 ms per call.'],
  ['The login handler must validate the password before hashing it.', 'Validate the password in the login handler before hashing it.'],
  ['pnpm build: tsc -b needs --force when it wrongly says the project is up to date.'],
  ['The tests of the api package need a running postgres; start it with docker compose up db.'],
  ['The web package builds with vite; its tests run in jsdom.'],
  ['Run the api tests with --runInBand: they share one postgres database.'],
  ['Login rate limiting lives in src/auth/rate-limit.ts, keyed by IP and user.'],
  ['Password hashing uses bcrypt with cost 12 in src/auth/hash.ts.'],
  ['The migrations run on start; a new migration needs a new file in db/migrations.'],
  ['vitest runs the api tests in forks because of better-sqlite3; the web tests use threads.'],
  ['The workers of the indexer are recycled every 2000 files to bound memory.'],
  ['vitest needs --force in the cli: the cache hides stale builds.'],
  ['docker needs --force in the cli: the cache hides stale builds.'],
  ['Use pnpm 9 for this repo; pnpm 8 rewrites the lockfile.'],
  ['Use pnpm 8 for this repo; pnpm 9 rewrites the lockfile.'],
  ['Ticket acme/tickets#1 "[api] login returns 500 on empty password" failed (task, retry_later): tests still fail in auth.spec on sonnet; branch flotilla/t/github-acme-tickets-1.'],
  ['Ticket acme/tickets#2 "[api] rate limit the login endpoint" failed (task, retry_later): tests still fail in auth.spec on sonnet; branch flotilla/t/github-acme-tickets-2.'],
];

describe('learning features and similar pairs', () => {
  it('should fold opposite words into one subject with opposite polarity, and keep exact names whole', () => {
    const works = learningFeatures('vitest works with --pool=forks in this repo');
    const fails = learningFeatures('vitest fails with --pool=forks in this repo');
    const doesNot = learningFeatures("vitest doesn't work with --pool=forks in this repo");
    expect(works).toMatchObject({ subject: ['--pool=forks', 'repo', 'vitest', 'work'], negated: false });
    expect(fails).toMatchObject({ subject: works.subject, negated: true });
    expect(doesNot).toMatchObject({ subject: works.subject, negated: true });
    expect(learningFeatures('Avoid mocking bcrypt').negated).toBe(true);
    expect(swappedInPlace(learningFeatures('vitest needs --force in the cli'), learningFeatures('docker needs --force in the cli'))).toBe(true);
    expect(swappedInPlace(learningFeatures('vitest needs --force in the cli'), learningFeatures('in the cli, vitest needs --force'))).toBe(false);
    expect(learningFeatures('build -- then test — done: 100%').specifics).toEqual(new Set(['100%']));
    // Forms of one word fold alike.
    expect(learningFeatures('recycled workers freed trees').subject).toEqual(learningFeatures('recycles the worker, frees the tree').subject);
    expect([...learningFeatures('See src/auth/hash.ts, issue #12 and useEffect').specifics]).toEqual(['src/auth/hash.ts', '#12', 'useeffect']);
  });

  it('should find exactly the pairs a comparison of every pair finds', () => {
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const sets = Array.from({ length: 300 }, () => [...new Set(Array.from({ length: 2 + Math.floor(next() * 6) }, () => words[Math.floor(next() * words.length)] as string))]);
    for (const threshold of [0.5, 0.6, 0.7, 1]) {
      const expected: string[] = [];
      sets.forEach((a, i) =>
        sets.forEach((b, j) => {
          if (j <= i) return;
          const common = a.filter((token) => b.includes(token)).length;
          if (common / (a.length + b.length - common) >= threshold) expected.push(`${i}-${j}`);
        }),
      );
      expect(similarPairs(sets, threshold).map(({ a, b }) => `${a}-${b}`)).toEqual(expected);
    }
  });

  it('should find the related pairs a comparison of every pair finds, names and all', () => {
    const texts = [
      ...LESSONS.flat(),
      ...Array.from({ length: 60 }, (_, i) => `Ticket acme/tickets#${i % 20} "[api] ${['login', 'cache', 'billing'][i % 3]} broken" failed (task, retry_later): tests still fail in auth.spec on sonnet; branch flotilla/t/github-acme-tickets-${i % 20}.`),
      'vitest needs --pool=forks', 'vitest needs --pool=forks in the cli', 'vitest fails with --pool=forks', 'the cli tests need --pool=forks: better-sqlite3 crashes',
    ];
    const features = texts.map(learningFeatures);
    const expected: string[] = [];
    features.forEach((a, i) =>
      features.forEach((b, j) => {
        if (j <= i || differentThings(a, b)) return;
        const common = a.subject.filter((token) => b.subject.includes(token)).length;
        if (common / (a.subject.length + b.subject.length - common) >= CONTRADICTION_SIMILARITY) expected.push(`${i}-${j}`);
      }),
    );
    expect(expected.length).toBeGreaterThan(10);
    expect(relatedPairs(features, CONTRADICTION_SIMILARITY).map(({ a, b }) => `${a}-${b}`)).toEqual(expected);
  });

  it('should score rewordings of one lesson at or above the duplicate threshold and different lessons below the contradiction one', () => {
    const texts = LESSONS.flat();
    const lessonOf = LESSONS.flatMap((lesson, index) => lesson.map(() => index));
    const features = texts.map(learningFeatures);
    const pairs = similarPairs(
      features.map((f) => f.subject),
      0.01,
    );
    const sameLesson = pairs.filter(({ a, b }) => lessonOf[a] === lessonOf[b]);
    const same = sameLesson.map((p) => p.jaccard);
    // A rewording that replaces a word (after → every) must reach the stricter threshold.
    expect(sameLesson.filter(({ a, b, jaccard }) => substituted(features[a]!, features[b]!) && jaccard < SUBSTITUTED_SIMILARITY)).toEqual([]);
    expect(sameLesson.filter(({ a, b }) => substituted(features[a]!, features[b]!))).toHaveLength(1);
    // The two pnpm lessons have one word set in two orders (`sameNumberOrder` keeps them apart), the
    // --force ones one sentence about two tools (`swappedInPlace`): not Jaccard.
    const apart = (a: number, b: number): boolean => !sameNumberOrder(features[a]!, features[b]!) || swappedInPlace(features[a]!, features[b]!);
    expect(pairs.filter(({ a, b }) => lessonOf[a] !== lessonOf[b] && apart(a, b))).toHaveLength(2);
    const different = pairs.filter(({ a, b }) => lessonOf[a] !== lessonOf[b] && !apart(a, b)).map((p) => p.jaccard);
    expect(same).toHaveLength(LESSONS.reduce((sum, lesson) => sum + (lesson.length * (lesson.length - 1)) / 2, 0));
    expect(Math.min(...same)).toBeGreaterThanOrEqual(DUPLICATE_SIMILARITY);
    expect(Math.max(...different)).toBeLessThan(CONTRADICTION_SIMILARITY);
    // Figures for the documentation of the thresholds.
    console.log(`rewordings: Jaccard ${Math.min(...same).toFixed(2)}–${Math.max(...same).toFixed(2)}; different lessons: at most ${Math.max(...different).toFixed(2)}`);
  });
});

describe('consolidateMemories', () => {
  let dir: string;
  let clock: number;
  let memory: MemoryStore;
  const learn = (input: RememberInput, at: number) => {
    clock = at;
    return remember(memory, { repo: REPO, ...input });
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'codekb-consolidate-'));
    clock = T0;
    memory = openMemory({ path: join(dir, 'memory.db'), now: () => clock });
  });
  afterEach(() => {
    memory.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should merge rewordings of one lesson into its best text and leave different lessons alone', () => {
    LESSONS.flat().forEach((text, index) => learn({ text, tags: [`t${index}`], outcome: 'note' }, T0 + index * DAY));
    learn({ text: LESSONS[0]![0]!, tags: ['build'], outcome: 'note' }, T0 + 40 * DAY);
    const report = consolidateMemories(memory);
    expect(report.examined).toBe(LESSONS.flat().length);
    expect(report.merged).toHaveLength(LESSONS.filter((lesson) => lesson.length > 1).length);
    const current = listMemories(memory);
    expect(current).toHaveLength(LESSONS.length);
    const build = report.merged.find((m) => m.into.text.includes('pnpm build before'))!;
    // The kept text says the most; the others are kept too, superseded by it.
    expect(build.into.text).toBe(LESSONS[0]![0]);
    expect(build.replaced.map((r) => r.text).sort()).toEqual([LESSONS[0]![1], LESSONS[0]![2]].sort());
    const kept = current.find((l) => l.id === build.into.id)!;
    expect(kept).toMatchObject({ timesLearned: 4, tags: ['build', 't0', 't1', 't2'], createdAt: new Date(T0).toISOString(), updatedAt: new Date(T0 + 40 * DAY).toISOString() });
    expect(kept.replaces?.sort()).toEqual(build.replaced.map((r) => r.id).sort());
    const all = listMemories(memory, { all: true });
    expect(all).toHaveLength(LESSONS.flat().length);
    expect(all.filter((l) => l.supersededBy === kept.id).map((l) => l.supersededReason)).toEqual(['duplicate', 'duplicate']);
    // Different tickets, the two pnpm versions in opposite order and one sentence about two tools stay apart.
    expect(current.filter((l) => l.text.startsWith('Ticket'))).toHaveLength(2);
    expect(current.filter((l) => l.text.startsWith('Use pnpm'))).toHaveLength(2);
    expect(current.filter((l) => l.text.includes('needs --force in the cli'))).toHaveLength(2);
  });

  it('should supersede an older learning by a newer contradicting one, and flag a pair it cannot decide', () => {
    const works = learn({ text: 'vitest works with --pool=forks in this repo', outcome: 'success' }, T0);
    const fails = learn({ text: 'vitest fails with --pool=forks in this repo', outcome: 'failure' }, T0 + 10 * DAY);
    // An explicit negation, both notes: the newer one, learned as often, wins.
    const required = learn({ text: 'Mocking bcrypt in the auth tests is required.', outcome: 'note' }, T0 + DAY);
    const notRequired = learn({ text: 'Mocking bcrypt in the auth tests is not required.', outcome: 'note' }, T0 + 12 * DAY);
    // Learned three times, then contradicted once: the newer report alone cannot overrule it.
    // The same words about another tool contradict nothing.
    learn({ text: 'docker works with --force in the cli', outcome: 'success' }, T0 + DAY);
    learn({ text: 'vitest fails with --force in the cli', outcome: 'failure' }, T0 + 2 * DAY);
    for (const day of [2, 3, 4]) learn({ text: 'The api tests need a running postgres', outcome: 'success' }, T0 + day * DAY);
    learn({ text: 'The api tests do not need a running postgres', outcome: 'failure' }, T0 + 20 * DAY);

    const report = consolidateMemories(memory);
    expect(report.merged).toEqual([]);
    expect(report.superseded.map(({ learning, by }) => [learning.id, by.id]).sort()).toEqual([[works.id, fails.id], [required.id, notRequired.id]].sort());
    expect(report.contested.map(([newer, older]) => [newer.text, older.text])).toEqual([['The api tests do not need a running postgres', 'The api tests need a running postgres']]);
    expect(listMemories(memory, { all: true }).find((l) => l.id === works.id)).toMatchObject({ supersededBy: fails.id, supersededReason: 'contradicted' });
    expect(listMemories(memory).filter((l) => l.contested).map((l) => l.text).sort()).toEqual(['The api tests do not need a running postgres', 'The api tests need a running postgres']);

    // Two more reports of the newer claim: now it has the evidence, and the older one is overruled.
    for (const day of [21, 22]) learn({ text: 'The api tests do not need a running postgres', outcome: 'failure' }, T0 + day * DAY);
    const settled = consolidateMemories(memory);
    expect(settled.superseded.map(({ learning }) => learning.text)).toEqual(['The api tests need a running postgres']);
    expect(settled.uncontested.map((l) => l.text)).toEqual(['The api tests do not need a running postgres']);
    expect(settled.contested).toEqual([]);
    expect(listMemories(memory).some((l) => l.contested)).toBe(false);
  });

  it('should rank superseded learnings out of recall and prefer the consolidated lesson', () => {
    const works = learn({ text: 'vitest works with --pool=forks in this repo', outcome: 'success' }, T0);
    const fails = learn({ text: 'vitest fails with --pool=forks in this repo', outcome: 'failure' }, T0 + 5 * DAY);
    LESSONS[2]!.forEach((text, index) => learn({ text }, T0 + (3 + index) * DAY));
    // Two lessons worded alike, at (nearly) the same time: one was learned twice, in two wordings.
    learn({ text: 'alpha: vitest needs the forks pool here' }, T0 + 6 * DAY);
    learn({ text: 'alpha: vitest needs the forks pool here too' }, T0 + 6 * DAY + 1);
    const omega = learn({ text: 'omega: vitest needs the forks pool here' }, T0 + 6 * DAY + 2);
    clock = T0 + 7 * DAY;
    const query = 'vitest pool forks';
    const before = recall(memory, { query, repo: REPO });
    expect(before.map((h) => h.id)).toEqual(expect.arrayContaining([works.id, fails.id]));
    expect(before.filter((h) => LESSONS[2]!.includes(h.text))).toHaveLength(2);
    expect(recall(memory, { query: 'needs forks pool here' })[0]?.id).toBe(omega.id);

    const report = consolidateMemories(memory);
    expect(report.merged.map((m) => m.replaced.length)).toEqual([1, 1]);
    const hits = recall(memory, { query, repo: REPO });
    expect(hits.map((h) => h.id)).not.toContain(works.id);
    expect(hits.map((h) => h.id)).toContain(fails.id);
    const wording = hits.filter((h) => LESSONS[2]!.includes(h.text));
    expect(wording).toMatchObject([{ timesLearned: 2, evidence: 1.25 }]);
    expect(wording[0]!.score).toBeCloseTo(wording[0]!.relevance * (0.5 + 0.5 * wording[0]!.recency) * 1.25);
    // Equally relevant and as recent, the lesson learned twice now ranks first.
    const ranked = recall(memory, { query: 'needs forks pool here' });
    expect(ranked.slice(0, 2).map((h) => h.text.slice(0, 5))).toEqual(['alpha', 'omega']);
  });

  it('should change nothing on a second run, and count a merged text learned again on the learning that replaced it', () => {
    LESSONS.flat().forEach((text, index) => learn({ text, outcome: 'success' }, T0 + index * DAY));
    learn({ text: 'vitest works with --pool=forks in this repo', outcome: 'success' }, T0);
    learn({ text: 'vitest fails with --pool=forks in this repo', outcome: 'failure' }, T0 + DAY);
    const first = consolidateMemories(memory);
    expect(first.changed).toBeGreaterThan(0);
    const before = exportMemories(memory);
    const second = consolidateMemories(memory);
    expect(second).toMatchObject({ merged: [], superseded: [], uncontested: [], changed: 0 });
    expect(exportMemories(memory)).toEqual(before);
    expect(consolidateMemories(memory, { dryRun: true })).toEqual({ ...second, dryRun: true });

    const kept = first.merged.find((m) => LESSONS[1]!.includes(m.into.text))!;
    const again = learn({ text: kept.replaced[0]!.text, tags: ['again'] }, T0 + 60 * DAY);
    expect(again).toMatchObject({ id: kept.into.id, timesLearned: 3, updatedAt: new Date(T0 + 60 * DAY).toISOString() });
    expect(again.tags).toContain('again');
    // The overruled claim reported again is current again, for the next consolidation to weigh.
    expect(learn({ text: 'vitest works with --pool=forks in this repo', outcome: 'success' }, T0 + 61 * DAY)).toMatchObject({ supersededBy: null, timesLearned: 2 });
  });

  it('should count a merged text learned again on the lesson it was merged into, even once that lesson was overruled', () => {
    learn({ text: 'vitest works with --pool=threads in the api package', outcome: 'success' }, T0);
    const reworded = learn({ text: 'In the api package, vitest works with --pool=threads', outcome: 'success' }, T0 + DAY);
    expect(consolidateMemories(memory).merged).toHaveLength(1);
    const fails = learn({ text: 'vitest fails with --pool=threads in the api package', outcome: 'failure' }, T0 + 2 * DAY);
    learn({ text: 'vitest fails with --pool=threads in the api package', outcome: 'failure' }, T0 + 3 * DAY);
    const overruled = consolidateMemories(memory).superseded;
    expect(overruled.map(({ by }) => by.id)).toEqual([fails.id]);
    const kept = overruled[0]!.learning;
    // The merged wording reported again: the overruled lesson it says is current again, not the winner.
    const again = learn({ text: kept.id === reworded.id ? 'vitest works with --pool=threads in the api package' : reworded.text, outcome: 'success' }, T0 + 4 * DAY);
    expect(again).toMatchObject({ id: kept.id, supersededBy: null, timesLearned: 3 });
    expect(listMemories(memory).find((l) => l.id === fails.id)).toMatchObject({ timesLearned: 2 });
  });

  it('should dry-run without writing', () => {
    LESSONS[0]!.forEach((text, index) => learn({ text }, T0 + index * DAY));
    const before = exportMemories(memory);
    const dry = consolidateMemories(memory, { dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, changed: 0 });
    expect(dry.merged).toHaveLength(1);
    expect(exportMemories(memory)).toEqual(before);
  });

  it('should never merge learnings of different repos', () => {
    learn({ text: LESSONS[0]![0]!, repo: 'github.com/acme/one' }, T0);
    learn({ text: LESSONS[0]![1]!, repo: 'github.com/acme/two' }, T0);
    expect(consolidateMemories(memory).merged).toEqual([]);
  });

  it('should keep superseded learnings through an export and import, and converge', () => {
    LESSONS.flat().forEach((text, index) => learn({ text, tags: [`t${index}`] }, T0 + index * DAY));
    learn({ text: 'vitest works with --pool=forks in this repo', outcome: 'success' }, T0);
    learn({ text: 'vitest fails with --pool=forks in this repo', outcome: 'failure' }, T0 + DAY);
    consolidateMemories(memory);
    const exported = JSON.parse(JSON.stringify(exportMemories(memory))) as unknown[];
    expect(exported.filter((l) => (l as { supersededBy: string | null }).supersededBy !== null)).toHaveLength(LESSONS.flat().length - LESSONS.length + 1);

    using other = openMemory({ path: join(dir, 'other.db'), now: () => clock });
    expect(importMemories(other, exported)).toEqual({ added: exported.length, merged: 0, unchanged: 0 });
    expect(exportMemories(other)).toEqual(exportMemories(memory));
    expect(importMemories(other, exported)).toEqual({ added: 0, merged: 0, unchanged: exported.length });
    expect(recall(other, { query: 'vitest pool forks', repo: REPO }).map((h) => h.id)).toEqual(recall(memory, { query: 'vitest pool forks', repo: REPO }).map((h) => h.id));
    expect(consolidateMemories(other).changed).toBe(0);

    // A host that never consolidated learns the merges from the export, without losing its own rows.
    using fresh = openMemory({ path: join(dir, 'fresh.db'), now: () => clock });
    remember(fresh, { text: LESSONS[0]![1]!, repo: REPO, tags: ['local'] });
    const result = importMemories(fresh, exported);
    expect(result).toEqual({ added: exported.length - 1, merged: 1, unchanged: 0 });
    expect(listMemories(fresh).map((l) => l.id).sort()).toEqual(listMemories(memory).map((l) => l.id).sort());
  });

  it('should migrate a schema 1 memory.db, keeping its learnings current and learned once', () => {
    const path = join(dir, 'v1.db');
    const v1 = new Database(path);
    v1.exec(MEMORY_MIGRATIONS[0]!);
    v1.pragma('user_version = 1');
    v1.prepare("INSERT INTO memories (id, hash, text, tags, repo, outcome, created_at, updated_at) VALUES ('OLD1', 'h1', 'an old lesson', '[]', NULL, 'note', 1, 1)").run();
    v1.close();
    using migrated = openMemory({ path });
    expect(migrated.sqlite.pragma('user_version', { simple: true })).toBe(MEMORY_MIGRATIONS.length);
    expect(listMemories(migrated)).toMatchObject([{ id: 'OLD1', timesLearned: 1, supersededBy: null, contested: false }]);
  });
});
