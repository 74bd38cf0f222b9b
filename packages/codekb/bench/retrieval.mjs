#!/usr/bin/env node
/**
 * Natural-language → file retrieval on a repository's own git history: each commit subject is a
 * query, the source files that commit touched (and that still exist) are its answers. codekb's
 * ranked `search` (hits aggregated to files, in order of each file's first hit) against plain BM25
 * over whole-file text (an FTS5 table built here over the same files), both given the same query
 * words. Reports hit@5 and MRR, on all commits and on the two halves split by the parity of the
 * commit hash's last hex digit (tune on one half, judge on the other).
 *
 * Run: node packages/codekb/bench/retrieval.mjs [--repo DIR] [--commits N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { boundTime, CODEKB_DIR, DIST, fmt, printFooter, printHeader, printTable, tempDir } from './lib/common.mjs';

const USAGE = `usage: node packages/codekb/bench/retrieval.mjs [options]
  --repo DIR      git repository whose history gives the queries (default ${join(CODEKB_DIR, '../..')})
  --commits N     newest N non-merge commits (default 500)
  --hits N        codekb search hits fetched per query before aggregating to files (default 200)
  --seconds S     time bound (default 600)`;
const { values } = parseArgs({ options: { repo: { type: 'string' }, commits: { type: 'string' }, hits: { type: 'string' }, seconds: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const repoDir = values.repo ?? join(CODEKB_DIR, '../..');
const commitsN = Number(values.commits ?? 500);
const hitsN = Number(values.hits ?? 200);
const seconds = Number(values.seconds ?? 600);
if (!existsSync(DIST)) {
  console.error(`${DIST} is missing: build first (cd packages/codekb && pnpm exec tsc -b)`);
  process.exit(2);
}
boundTime(seconds * 1000, 'retrieval');
printHeader('retrieval', { repo: repoDir, commits: commitsN, hits: hitsN, seconds });
const { languageOf, openRepoIndex, search } = await import(DIST);
const scratch = tempDir('retrieval');

// Index the repository as it is now (a child process, as a user's `codekb index` would).
const dbPath = join(scratch, 'index.db');
const child = spawnSync(process.execPath, [new URL('./lib/index-child.mjs', import.meta.url).pathname, repoDir, dbPath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
if (child.status !== 0) throw new Error(`indexing failed: ${child.stderr.slice(-2000)}`);
const summary = JSON.parse(child.stdout.trim().split('\n').at(-1));
console.log(`# indexed ${summary.files} files (${Object.entries(summary.languages).map(([l, n]) => `${l}=${n}`).join(' ')}), ${summary.symbols} symbols in ${summary.durationMs} ms`);
const repo = openRepoIndex({ root: repoDir, dbPath });
const indexed = repo.sqlite.prepare("SELECT path FROM files WHERE status IN ('parsed', 'text')").all().map((r) => r.path);
const isSource = (path) => languageOf(path) !== undefined;

// The baseline: BM25 over whole-file text of the same files.
const bm25 = new Database(join(scratch, 'bm25.db'));
bm25.exec("CREATE VIRTUAL TABLE docs USING fts5(path UNINDEXED, body, tokenize = \"unicode61 tokenchars '_'\")");
const insert = bm25.prepare('INSERT INTO docs (path, body) VALUES (?, ?)');
// The text codekb indexed (its text store), not the disk: files other people edit or delete meanwhile
// would otherwise differ between the two systems.
const fileRegion = repo.sqlite.prepare('SELECT text_offset AS at, text_length AS length FROM files WHERE path = ?');
repo.text.use(repo.sqlite.prepare('SELECT generation FROM text_store').pluck().get());
bm25.transaction(() => {
  for (const path of indexed) {
    const region = fileRegion.get(path);
    insert.run(path, region?.at == null ? '' : repo.text.read(region.at, region.length).toString('utf8'));
  }
})();
const bm25Query = bm25.prepare('SELECT path FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT 500');

// Queries: commit subjects; answers: touched source files still indexed (read-only git).
const log = execFileSync('git', ['log', '--no-merges', `-n${commitsN}`, '--name-only', '--format=%x00%h %s'], { cwd: repoDir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
const present = new Set(indexed);
const cases = log
  .split('\0')
  .filter(Boolean)
  .map((block) => {
    const [head, ...files] = block.split('\n').filter(Boolean);
    const subject = head.slice(head.indexOf(' ') + 1);
    return { sha: head.slice(0, head.indexOf(' ')), subject, answers: new Set(files.filter((f) => present.has(f) && isSource(f))) };
  })
  .filter((c) => c.answers.size > 0);
const words = (text) => [...new Set(text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [])].filter((w) => w.length >= 2);
const quote = (w) => `"${w.replace(/"/g, '""')}"`;

function score(ranked, answers) {
  const rank = ranked.findIndex((p) => answers.has(p));
  return { hit5: rank >= 0 && rank < 5 ? 1 : 0, rr: rank >= 0 ? 1 / (rank + 1) : 0, rank };
}
const dedupe = (paths) => [...new Set(paths)];

const systems = {
  codekb: { all: [], source: [], ms: [], half: [] },
  bm25: { all: [], source: [], ms: [], half: [] },
};
/** A stable hold-out split: new commits never move an old one to the other half. */
const halfOf = (sha) => (Number.parseInt(sha.at(-1), 16) % 2 === 1 ? 'odd' : 'even');
const perQuery = [];
for (const c of cases) {
  const w = words(c.subject);
  let t0 = performance.now();
  const hits = await search(repo, w.join(' '), { limit: hitsN });
  systems.codekb.ms.push(performance.now() - t0);
  const ours = dedupe(hits.map((h) => h.path));
  t0 = performance.now();
  const theirs = w.length === 0 ? [] : bm25Query.all(w.map(quote).join(' OR ')).map((r) => r.path);
  systems.bm25.ms.push(performance.now() - t0);
  for (const [name, ranked] of [['codekb', ours], ['bm25', theirs]]) {
    systems[name].all.push(score(ranked, c.answers));
    systems[name].source.push(score(ranked.filter(isSource), c.answers));
    systems[name].half.push(halfOf(c.sha));
  }
  perQuery.push([c.sha, c.answers.size, systems.codekb.all.at(-1).rank + 1 || '—', systems.bm25.all.at(-1).rank + 1 || '—', c.subject.length > 70 ? `${c.subject.slice(0, 67)}…` : c.subject]);
}

console.log(`# ${cases.length} commits with at least one touched source file still present (source = a language codekb parses)`);
console.log('# per query: rank of the first touched file (all files ranked; — = not in the list)');
printTable(['commit', 'answers', 'codekb', 'bm25', 'subject'], perQuery);
console.log('');
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? NaN;
printTable(
  ['system', 'queries', 'hit@5', 'MRR', 'hit@5 (source only)', 'MRR (source only)', 'median ms'],
  Object.entries(systems).map(([name, s]) => [
    name === 'codekb' ? 'codekb search (→ files)' : 'BM25 over file text',
    s.all.length,
    fmt(mean(s.all.map((x) => x.hit5)), 3),
    fmt(mean(s.all.map((x) => x.rr)), 3),
    fmt(mean(s.source.map((x) => x.hit5)), 3),
    fmt(mean(s.source.map((x) => x.rr)), 3),
    fmt(median(s.ms), 1),
  ]),
);
console.log('# "source only": both rankings filtered to source files before scoring (answers are source files)');
console.log('');
console.log('# hold-out halves (commit hash ends in an odd / even hex digit)');
printTable(
  ['system', 'half', 'queries', 'hit@5', 'MRR'],
  Object.entries(systems).flatMap(([name, s]) =>
    ['odd', 'even'].map((half) => {
      const rows = s.all.filter((_, i) => s.half[i] === half);
      return [name === 'codekb' ? 'codekb search (→ files)' : 'BM25 over file text', half, rows.length, fmt(mean(rows.map((x) => x.hit5)), 3), fmt(mean(rows.map((x) => x.rr)), 3)];
    }),
  ),
);
repo.close();
bm25.close();
printFooter();
