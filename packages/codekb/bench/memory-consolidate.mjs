#!/usr/bin/env node
/**
 * Consolidation of agent memory at scale: a memory.db of N generated learnings (default 10,000)
 * spread over a few repos — distinct lessons about the same tools and files, rewordings of some
 * (which must merge), "works" / "fails" pairs (which must be settled), and director ticket learnings
 * that differ only in their ticket (which must stay apart) — consolidated once dry, once for real,
 * and once more (which must change nothing). Prints the time of each run, what it did against
 * what the corpus holds, and recall latency before and after.
 *
 * Run: node packages/codekb/bench/memory-consolidate.mjs [--learnings 10000] [--repos 5] [--seed 1]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { boundTime, CODEKB_DIR, fmt, printFooter, printHeader, printTable, rng, summarize, tempDir } from './lib/common.mjs';

const { values } = parseArgs({ options: { learnings: { type: 'string' }, repos: { type: 'string' }, seed: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log('usage: node packages/codekb/bench/memory-consolidate.mjs [--learnings 10000] [--repos 5] [--seed 1] [--seconds 600]');
  process.exit(0);
}
const total = Number(values.learnings ?? 10_000);
const repoCount = Number(values.repos ?? 5);
const seed = Number(values.seed ?? 1);
boundTime(Number(values.seconds ?? 600) * 1000, 'memory consolidation bench');
const memoryApi = await import(join(CODEKB_DIR, 'dist/memory/index.js'));
const { openMemory, remember, recall, consolidateMemories, listMemories } = memoryApi;

const TOOLS = ['vitest', 'pnpm', 'tsc', 'docker', 'postgres', 'tree-sitter', 'better-sqlite3', 'eslint', 'vite', 'playwright', 'node', 'git', 'redis', 'nginx', 'webpack', 'jest', 'prisma', 'kafka', 'terraform', 'helm'];
const FLAGS = ['--pool=forks', '--runInBand', '--force', '--frozen-lockfile', '--no-cache', '--max-old-space-size=4096', '--experimental-vm-modules', '--watch=false', '--detectOpenHandles', '--shard=2'];
const PLACES = ['the api package', 'the web app', 'the cli', 'the worker service', 'the auth module', 'the billing service', 'the indexer', 'the migrations', 'the e2e suite', 'the docs site', 'the mobile app', 'the gateway'];
const REASONS = [
  'sockets leak between test files', 'the lockfile is rewritten otherwise', 'native modules crash in worker threads', 'the cache hides stale builds',
  'the container runs out of memory', 'timeouts hit on the slow runner', 'the schema drifts from the models', 'imports resolve to dist',
  'ports collide with the dev server', 'environment variables are read at import', 'snapshots depend on the locale', 'the clock is mocked globally',
  'retries mask flaky assertions', 'connections are pooled per process', 'source maps break coverage', 'symlinks confuse the watcher',
];
const FILLERS = ['', 'here', 'in this repo', 'always', 'for now'];

const random = rng(seed);
const pick = (items) => items[Math.floor(random() * items.length)];
/** A distinct lesson: its words, and a rewording of them (same content words, other order and fillers). */
function lesson() {
  const [tool, flag, place, reason] = [pick(TOOLS), pick(FLAGS), pick(PLACES), pick(REASONS)];
  return {
    key: `${tool}|${flag}|${place}|${reason}`,
    subject: `${tool}|${flag}|${place}`,
    text: `${tool} needs ${flag} in ${place}: ${reason}.`,
    reworded: `In ${place}, ${reason}, so ${tool} needs ${flag} ${pick(FILLERS)}`.trim(),
    works: `${tool} works with ${flag} in ${place} ${pick(FILLERS)}`.trim(),
    fails: `${tool} fails with ${flag} in ${place} ${pick(FILLERS)}`.trim(),
  };
}

const dir = tempDir('memory');
const DAY = 86_400_000;
let clock = Date.parse('2025-01-01T00:00:00Z');
const memory = openMemory({ path: join(dir, 'memory.db'), now: () => clock });
const expected = { rewordings: 0, contradictions: 0, tickets: 0 };
/** What each text says, as `repo|lesson`: a merge of two different lessons is a false merge. */
const lessonOf = new Map();
const learn = (input, lessonKey) => {
  remember(memory, input);
  lessonOf.set(`${input.repo}|${input.text}`, `${input.repo}|${lessonKey}`);
};
const started = performance.now();
for (let made = 0, ticket = 1; made < total; ) {
  const repo = `github.com/acme/repo-${Math.floor(random() * repoCount)}`;
  const kind = random();
  clock += Math.floor(random() * 3_600_000);
  const l = lesson();
  if (kind < 0.45) {
    learn({ text: l.text, repo, outcome: 'note', tags: [pick(TOOLS)] }, l.key);
    made += 1;
  } else if (kind < 0.7) {
    learn({ text: l.text, repo, outcome: 'note', tags: ['a'] }, l.key);
    clock += DAY;
    learn({ text: l.reworded, repo, outcome: 'note', tags: ['b'] }, l.key);
    expected.rewordings += 1;
    made += 2;
  } else if (kind < 0.8) {
    learn({ text: l.works, repo, outcome: 'success' }, `${l.subject}|works`);
    clock += DAY;
    learn({ text: l.fails, repo, outcome: 'failure' }, `${l.subject}|works`);
    expected.contradictions += 1;
    made += 2;
  } else {
    const n = ticket++;
    learn({
      text: `Ticket acme/tickets#${n} "[api] ${pick(TOOLS)} flaky in ${pick(PLACES)}" failed (task, retry_later): tests still fail on sonnet; branch flotilla/t/github-acme-tickets-${n}.`,
      repo,
      outcome: 'failure',
      tags: ['director', `ticket:github:acme/tickets#${n}`],
    }, `ticket ${n}`);
    expected.tickets += 1;
    made += 1;
  }
}
const fillMs = performance.now() - started;

printHeader('memory-consolidate', { learnings: total, repos: repoCount, seed });
const queries = Array.from({ length: 200 }, () => `${pick(TOOLS)} ${pick(FLAGS).replace(/^--/, '')} ${pick(REASONS).split(' ')[0]}`);
const recallTimes = () =>
  summarize(
    queries.map((query, index) => {
      const t = performance.now();
      recall(memory, { query, repo: `github.com/acme/repo-${index % repoCount}`, limit: 5 });
      return performance.now() - t;
    }),
  );
const recallBefore = recallTimes();
const timed = (fn) => {
  const t = performance.now();
  const result = fn();
  return { ms: performance.now() - t, result };
};
const dry = timed(() => consolidateMemories(memory, { dryRun: true }));
const real = timed(() => consolidateMemories(memory));
const again = timed(() => consolidateMemories(memory));
const recallAfter = recallTimes();
const replaced = real.result.merged.reduce((sum, merge) => sum + merge.replaced.length, 0);

console.log(`# filled ${total} learnings in ${fmt(fillMs / 1000, 1)} s (one remember each); corpus: ${expected.rewordings} reworded pairs, ${expected.contradictions} works/fails pairs, ${expected.tickets} ticket learnings (the rest distinct lessons, drawn at random: some collide)`);
printTable(
  ['run', 'time ms', 'examined', 'merged groups', 'replaced', 'superseded', 'contested pairs', 'rows written'],
  [
    ['dry run', fmt(dry.ms, 0), dry.result.examined, dry.result.merged.length, dry.result.merged.reduce((s, m) => s + m.replaced.length, 0), dry.result.superseded.length, dry.result.contested.length, dry.result.changed],
    ['consolidate', fmt(real.ms, 0), real.result.examined, real.result.merged.length, replaced, real.result.superseded.length, real.result.contested.length, real.result.changed],
    ['second run', fmt(again.ms, 0), again.result.examined, again.result.merged.length, again.result.merged.reduce((s, m) => s + m.replaced.length, 0), again.result.superseded.length, again.result.contested.length, again.result.changed],
  ],
);
const said = (learning) => lessonOf.get(`${learning.repo}|${learning.text}`);
const falseMerges = real.result.merged.flatMap((m) => m.replaced.filter((r) => said(r) !== said(m.into))).length;
const falseOverrules = real.result.superseded.filter(({ learning, by }) => said(learning) !== said(by)).length;
const current = new Set(listMemories(memory).map(said));
const lessons = new Set(lessonOf.values());
console.log(`# false merges (different lessons merged): ${falseMerges} of ${replaced} · false overrules (a different lesson superseded): ${falseOverrules} of ${real.result.superseded.length}`);
console.log(`# current after: ${listMemories(memory).length} learnings for ${lessons.size} distinct lessons (${[...lessons].filter((k) => !current.has(k)).length} lessons with no current learning, must be 0) · second run rows written: ${again.result.changed} (must be 0)`);
printTable(
  ['recall (200 queries, limit 5)', 'p50 ms', 'p90 ms', 'p99 ms'],
  [
    ['before consolidation', fmt(recallBefore.p50), fmt(recallBefore.p90), fmt(recallBefore.p99)],
    ['after consolidation', fmt(recallAfter.p50), fmt(recallAfter.p90), fmt(recallAfter.p99)],
  ],
);
memory.close();

// The director's own learnings: thousands alike but for their ticket id, title word and branch.
const templatedCount = Math.min(total, 5000);
const templated = openMemory({ path: join(dir, 'templated.db'), now: () => clock });
const TITLE_WORDS = ['login', 'rate', 'limit', 'password', 'session', 'token', 'cache', 'export', 'import', 'billing'];
for (let i = 0; i < templatedCount; i++) {
  remember(templated, {
    text: `Ticket acme/tickets#${i} "[api] ${TITLE_WORDS[i % 10]} ${TITLE_WORDS[(i * 7) % 10]} broken" failed (task, retry_later): tests still fail in auth.spec on sonnet; branch flotilla/t/github-acme-tickets-${i}.`,
    repo: 'github.com/acme/api',
    outcome: 'failure',
  });
}
const templatedRun = timed(() => consolidateMemories(templated));
console.log(`# ${templatedCount} director-style ticket learnings of one repo, alike but for their ticket: consolidated in ${fmt(templatedRun.ms, 0)} ms, ${templatedRun.result.merged.length} merged, ${templatedRun.result.superseded.length} superseded (must be 0 and 0)`);
templated.close();
printFooter();
