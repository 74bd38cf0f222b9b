#!/usr/bin/env node
/**
 * Query latency on one indexed tree: definition lookup p50/p99 over names sampled from the index,
 * literal search p50/p99 over substrings sampled from its files against `rg -F -l` on the same
 * tree with the same queries (ratio, and whether the file sets agree), and definition recall
 * against Universal Ctags on the same tree (plus an extra tree, by default the Python stdlib).
 *
 * Run: node packages/codekb/bench/query.mjs [--dir DIR] [--defs 500] [--literals 100]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { boundTime, DIST, fmt, printFooter, printHeader, printTable, rng, sample, summarize, tempDir } from './lib/common.mjs';
import { composeCorpus, listRegularFiles, PNPM_DIR, PYTHON_STDLIB } from './lib/corpus.mjs';
import { ctagsRecall } from './lib/recall.mjs';

const USAGE = `usage: node packages/codekb/bench/query.mjs [options]
  --dir DIR            tree to index and query (default ${PNPM_DIR}); given more than once, the
                       trees are copied into one (e.g. for a 20k-file repo: --dir ${PNPM_DIR}
                       --dir /usr/include --dir /usr/lib/node_modules --dir ${PYTHON_STDLIB})
  --db PATH            reuse an existing index of --dir instead of building one in a temp dir
  --defs N             definition lookups, names sampled from the index (default 500)
  --literals N         literal searches, substrings sampled from indexed files (default 100)
  --rg-seconds S       stop running rg after this long (the comparison uses the queries it ran; default 240)
  --recall-extra DIR   also measure recall on this tree (default ${PYTHON_STDLIB}; "none" to skip)
  --no-recall          skip recall altogether (ctags over the whole tree: a minute on 20k files)
  --seed N             sampling seed (default 1)
  --seconds S          time bound for the whole bench (default 900)`;
const { values } = parseArgs({
  options: Object.fromEntries(['db', 'defs', 'literals', 'rg-seconds', 'recall-extra', 'seed', 'seconds'].map((k) => [k, { type: 'string' }]).concat([['help', { type: 'boolean' }], ['no-recall', { type: 'boolean' }], ['dir', { type: 'string', multiple: true }]])),
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const dirs = values.dir ?? [PNPM_DIR];
const defsN = Number(values.defs ?? 500);
const literalsN = Number(values.literals ?? 100);
const rgSeconds = Number(values['rg-seconds'] ?? 240);
const recallExtra = values['recall-extra'] ?? PYTHON_STDLIB;
const seed = Number(values.seed ?? 1);
const seconds = Number(values.seconds ?? 900);
if (!existsSync(DIST)) {
  console.error(`${DIST} is missing: build first (cd packages/codekb && pnpm exec tsc -b)`);
  process.exit(2);
}
boundTime(seconds * 1000, 'query');
printHeader('query', { dir: dirs.join(','), db: values.db ?? '(temp)', defs: defsN, literals: literalsN, rgSeconds, recallExtra, seed, seconds });
const { definition, openRepoIndex, search } = await import(DIST);
const scratch = tempDir('query');
const dir = dirs.length === 1 ? dirs[0] : composeCorpus(dirs, scratch).root;
const CHILD = new URL('./lib/index-child.mjs', import.meta.url).pathname;

function buildIndex(root, dbPath) {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CHILD, root, dbPath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`indexing ${root} failed: ${r.stderr.slice(-2000)}`);
  const s = JSON.parse(r.stdout.trim().split('\n').at(-1));
  console.log(`# indexed ${root}: ${s.files} files (${Object.entries(s.languages).map(([l, n]) => `${l}=${n}`).join(' ')}), ${s.symbols} symbols in ${Math.round(performance.now() - started)} ms, ${(s.dbBytes / 1024 ** 2).toFixed(0)} MiB`);
  return s;
}

const regularFiles = listRegularFiles(dir).length;
console.log(`# ${dir}: ${regularFiles} regular files (the issue's rg target is for a 20k-file repo${regularFiles < 20000 ? '; this tree is smaller' : ''})`);
const dbPath = values.db ?? join(scratch, 'index.db');
if (!values.db) buildIndex(dir, dbPath);
const repo = openRepoIndex({ root: dir, dbPath });
const random = rng(seed);
const ms = (t0) => performance.now() - t0;

// Definition lookup.
const names = sample(
  repo.sqlite.prepare('SELECT DISTINCT name FROM symbols').all().map((r) => r.name),
  defsN,
  random,
);
for (const name of names.slice(0, 20)) definition(repo, name); // warm-up
const defTimes = [];
let defFound = 0;
for (const name of names) {
  const t0 = performance.now();
  const hits = definition(repo, name);
  defTimes.push(ms(t0));
  if (hits.length > 0) defFound++;
}
const defStats = summarize(defTimes);
console.log(`# definition: ${names.length} names, ${defFound} answered`);

// Literal search: substrings of random lines of random indexed files.
const candidates = sample(
  repo.sqlite.prepare("SELECT path FROM files WHERE status IN ('parsed', 'text') AND size BETWEEN 200 AND 1048576").all().map((r) => r.path),
  literalsN * 5,
  random,
);
const queries = new Set();
for (const path of candidates) {
  if (queries.size >= literalsN) break;
  const lines = readFileSync(join(dir, path), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && l.length <= 400);
  if (lines.length === 0) continue;
  const line = lines[Math.floor(random() * lines.length)];
  const length = 6 + Math.floor(random() * 15); // 6–20 characters
  const start = Math.floor(random() * (line.length - length));
  const q = line.slice(start, start + length).trim();
  if (q.length >= 4 && /\w{3}/.test(q) && !q.startsWith('-')) queries.add(q);
}
const literals = [...queries];
for (const q of literals.slice(0, 5)) await search(repo, q, { literal: true }); // warm-up
const litAll = [];
// CPU time of the same searches (user + system of the process): what a shared machine's load does not inflate.
const litAllCpu = [];
const litTop = [];
const codekbFiles = [];
for (const q of literals) {
  let t0 = performance.now();
  const c0 = process.cpuUsage();
  const hits = await search(repo, q, { literal: true, limit: 1e9 });
  litAll.push(ms(t0));
  const c = process.cpuUsage(c0);
  litAllCpu.push((c.user + c.system) / 1000);
  codekbFiles.push(new Set(hits.map((h) => h.path)));
  t0 = performance.now();
  await search(repo, q, { literal: true });
  litTop.push(ms(t0));
}
// Why literal search costs what it does: chunks the trigram index proposes (the same trigram pick
// as src/query/search.ts: at most 24, evenly spread) against files that really contain the query.
const candidateCount = (q) => {
  const chars = Array.from(q);
  const all = [...new Set(chars.slice(0, -2).map((_, i) => chars.slice(i, i + 3).join('')))];
  const step = Math.max(1, Math.ceil(all.length / 24));
  const picked = all.filter((_, i) => i % step === 0 || i === all.length - 1);
  return repo.sqlite.prepare('SELECT count(*) AS n FROM content_fts WHERE content_fts MATCH ?').get(picked.map((t) => `"${t.replace(/"/g, '""')}"`).join(' AND ')).n;
};
const cands = literals.map(candidateCount);
const matched = codekbFiles.map((s) => s.size);
const sumOf = (xs) => xs.reduce((a, b) => a + b, 0);
console.log(`# literal: candidate chunks (trigram index) per query mean ${fmt(sumOf(cands) / cands.length, 0)} (max ${Math.max(...cands)}), files really matching mean ${fmt(sumOf(matched) / matched.length, 1)}; candidates read and confirmed in all: ${sumOf(cands)} for ${sumOf(matched)} matching files`);
console.log(`# literal: ${literals.length} substrings of 6–20 characters, e.g. ${literals.slice(0, 4).map((q) => JSON.stringify(q)).join(', ')}`);
// The slowest queries (what the p99 is made of): time with every hit, files matching, chunks proposed.
const slowest = literals.map((q, i) => ({ q, ms: litAll[i], files: matched[i], cands: cands[i] })).sort((a, b) => b.ms - a.ms).slice(0, 5);
for (const s of slowest) console.log(`#   slow: ${fmt(s.ms, 1)} ms ${JSON.stringify(s.q)}: ${s.files} files match, ${s.cands} candidate chunks`);

// The same queries with rg (cwd = the tree, so paths compare). Compared over the same files: what
// rg finds in files the index skipped as generated (lock files, source maps, minified, marked) is
// left out. rg is timed over every file — an ignore file of those paths made it slower (118 against
// 67 ms at p50 on node_modules/.pnpm, 1,482 paths), not faster.
const generated = new Set(repo.sqlite.prepare("SELECT path FROM files WHERE status = 'skipped-generated'").all().map((r) => r.path));
const rgTimes = [];
const codekbAllSame = [];
let agree = 0;
const disagreements = [];
const rgStarted = performance.now();
for (const [i, q] of literals.entries()) {
  if (ms(rgStarted) > rgSeconds * 1000) break;
  const t0 = performance.now();
  const r = spawnSync('rg', ['-uu', '-F', '-l', '--max-filesize', '1M', '--', q, '.'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  rgTimes.push(ms(t0));
  codekbAllSame.push(litAll[i]);
  const rgFiles = new Set(r.stdout.split('\n').filter(Boolean).map((p) => p.replace(/^\.\//, '')).filter((p) => !generated.has(p)));
  const ours = codekbFiles[i];
  const same = rgFiles.size === ours.size && [...rgFiles].every((p) => ours.has(p));
  if (same) agree++;
  else if (disagreements.length < 5) {
    const onlyRg = [...rgFiles].filter((p) => !ours.has(p)).slice(0, 2);
    const onlyUs = [...ours].filter((p) => !rgFiles.has(p)).slice(0, 2);
    disagreements.push(`${JSON.stringify(q)}: rg ${rgFiles.size} files, codekb ${ours.size}; only rg ${JSON.stringify(onlyRg)}, only codekb ${JSON.stringify(onlyUs)}`);
  }
}
const rgStats = summarize(rgTimes);
const pairedAll = summarize(codekbAllSame);
console.log(`# rg -uu -F -l --max-filesize 1M (its files in the ${generated.size} the index skipped as generated left out): ran ${rgTimes.length} of ${literals.length} queries${rgTimes.length < literals.length ? ` (stopped at --rg-seconds ${rgSeconds})` : ''}; same file set as codekb (all hits) on ${agree}/${rgTimes.length}`);
for (const d of disagreements) console.log(`#   differs: ${d}`);

// Recall against ctags on the same tree, and on the extra tree.
const recallRows = [];
const addRecall = (label, root, sqlite) => {
  const r = ctagsRecall(root, sqlite);
  console.log(`# recall on ${label}: ctags over ${r.files} parsed files took ${Math.round(r.ctagsMs)} ms`);
  for (const l of r.languages) {
    console.log(`#   ${l.language}: missed by kind ${JSON.stringify(l.missedByKind)}; e.g. ${l.examples.slice(0, 3).join(' | ')}`);
    const target = l.language === 'TypeScript' ? 0.97 : l.language === 'Python' ? 0.99 : null;
    recallRows.push([label, l.language, l.tags, l.found, fmt(l.recall, 4), target ? `≥ ${target} ${l.recall >= target ? 'met' : 'MISSED'}` : '(none)']);
  }
};
if (!values['no-recall']) addRecall(dir.replace(/.*\/node_modules\//, 'node_modules/'), dir, repo.sqlite);
repo.close();
if (!values['no-recall'] && recallExtra !== 'none' && existsSync(recallExtra)) {
  const extraDb = join(scratch, 'extra.db');
  buildIndex(recallExtra, extraDb);
  const extra = openRepoIndex({ root: recallExtra, dbPath: extraDb });
  addRecall(recallExtra, recallExtra, extra.sqlite);
  extra.close();
}

console.log('');
const row = (label, s, target) => [label, s.count, fmt(s.p50, 3), fmt(s.p90, 3), fmt(s.p99, 3), fmt(s.max, 3), target];
printTable(
  ['query', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'target'],
  [
    row('definition(name)', defStats, `p50 ≤ 1 ${defStats.p50 <= 1 ? 'met' : 'MISSED'}, p99 ≤ 5 ${defStats.p99 <= 5 ? 'met' : 'MISSED'}`),
    row('literal, all hits', summarize(litAll), `p50 ≤ 5 ${summarize(litAll).p50 <= 5 ? 'met' : 'MISSED'}, p99 ≤ 60 ${summarize(litAll).p99 <= 60 ? 'met' : 'MISSED'}`),
    row('literal, all hits, CPU ms', summarize(litAllCpu), 'the same searches in CPU time (a busy machine inflates wall time)'),
    row('literal, limit 20 (tool default)', summarize(litTop), `p50 ≤ 5 ${summarize(litTop).p50 <= 5 ? 'met' : 'MISSED'}, p99 ≤ 60 ${summarize(litTop).p99 <= 60 ? 'met' : 'MISSED'}`),
    row('rg -F -l (same queries)', rgStats, ''),
    row('literal, all hits, ≤ 10 files match', summarize(litAll.filter((_, i) => codekbFiles[i].size <= 10)), ''),
    row('rg, the same ≤ 10-file queries', summarize(rgTimes.filter((_, i) => codekbFiles[i].size <= 10)), ''),
    row('literal, all hits, > 10 files match', summarize(litAll.filter((_, i) => codekbFiles[i].size > 10)), ''),
  ],
);
console.log('');
const speedup50 = rgStats.p50 / pairedAll.p50;
const speedup99 = rgStats.p99 / pairedAll.p99;
console.log(`rg / codekb (literal, all hits, the ${rgTimes.length} queries rg ran): p50 ${fmt(speedup50, 1)}×, p99 ${fmt(speedup99, 1)}× (target ≥ 10× on a 20k-file repo: ${speedup50 >= 10 ? 'met' : 'MISSED'} at p50, on ${regularFiles} files)`);
console.log('');
printTable(['recall tree', 'language', 'ctags defs', 'codekb has', 'recall', 'target'], recallRows);
printFooter();
