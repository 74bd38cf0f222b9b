#!/usr/bin/env node
/**
 * Full index time against `ctags -R` on the same files, files/s, the indexing process's peak RSS,
 * index size against text size, and the re-index of an unchanged tree.
 *
 * Run: node packages/codekb/bench/index.mjs [DIR...] [--max-files N] [--ctags-runs N]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { boundTime, DIST, fmt, mib, printFooter, printHeader, printTable, tempDir } from './lib/common.mjs';
import { limitCorpus, pnpmPackage, PYTHON_STDLIB } from './lib/corpus.mjs';

const USAGE = `usage: node packages/codekb/bench/index.mjs [DIR...] [options]
  DIR...            corpora to index (default: zod and typescript/lib from node_modules/.pnpm, ${PYTHON_STDLIB})
  --max-files N     index at most the first N files (sorted) of a corpus, copied to a temp dir (default 20000)
  --ctags-runs N    ctags runs per corpus, and full codekb index runs, the medians are compared (default 3)
  --workers N       parse worker threads (default: indexRepository's, min(2, cores); 0 parses on the main thread)
  --recycle-after N a parse worker is replaced after N files (default: indexRepository's)
  --seconds S       time bound for the whole bench (default 900)`;
const { values, positionals } = parseArgs({
  options: {
    'max-files': { type: 'string' },
    'ctags-runs': { type: 'string' },
    workers: { type: 'string' },
    'recycle-after': { type: 'string' },
    seconds: { type: 'string' },
    help: { type: 'boolean' },
  },
  allowPositionals: true,
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const maxFiles = Number(values['max-files'] ?? 20000);
/**
 * ctags 5.9 parses none of `.cjs`, `.mts`, `.cts`, `.tsx` and `.pyi`, which codekb parses as
 * JavaScript, TypeScript and Python: mapped, ctags parses the same files (a package shipping each
 * module as `.js`, `.cjs`, `.d.ts` and `.d.cts` otherwise costs ctags half the work it costs codekb).
 */
const CTAGS_MAPS = ['--map-JavaScript=+.cjs', '--map-TypeScript=+.mts', '--map-TypeScript=+.cts', '--map-TypeScript=+.tsx', '--map-Python=+.pyi'];
const ctagsRuns = Math.max(1, Number(values['ctags-runs'] ?? 3));
const seconds = Number(values.seconds ?? 900);
const childFlags = [...(values.workers ? ['--workers', values.workers] : []), ...(values['recycle-after'] ? ['--recycle-after', values['recycle-after']] : [])];
if (!existsSync(DIST)) {
  console.error(`${DIST} is missing: build first (cd packages/codekb && pnpm exec tsc -b)`);
  process.exit(2);
}
boundTime(seconds * 1000, 'index');

const corpora = positionals.length > 0 ? positionals : [pnpmPackage('zod'), pnpmPackage('typescript', 'lib'), PYTHON_STDLIB].filter((d) => d && existsSync(d));
printHeader('index', { corpora: corpora.join(','), maxFiles, ctagsRuns, workers: values.workers ?? 'default', recycleAfter: values['recycle-after'] ?? 'default', seconds });
const CHILD = new URL('./lib/index-child.mjs', import.meta.url).pathname;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const scratch = tempDir('index');

/** Runs argv, returns wall ms and (with /usr/bin/time) the peak RSS in KiB. */
function timed(argv, options = {}) {
  const timeOut = join(scratch, 'time.out');
  const full = TIME ? [TIME, '-f', '%M', '-o', timeOut, ...argv] : argv;
  const started = performance.now();
  const result = spawnSync(full[0], full.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  const ms = performance.now() - started;
  if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr?.slice(-2000)}`);
  const maxKiB = TIME ? Number(readFileSync(timeOut, 'utf8').trim().split('\n').at(-1)) : NaN;
  return { ms, maxKiB, stdout: result.stdout };
}

// The SQLite file (+ WAL and shm) and the text store beside it (`<db>.text.<generation>`, schema 5).
const dbBytesOf = (db) =>
  ['', '-wal', '-shm'].reduce((s, suffix) => s + (existsSync(db + suffix) ? statSync(db + suffix).size : 0), 0) +
  readdirSync(dirname(db))
    .filter((name) => name.startsWith(`${basename(db)}.text.`))
    .reduce((s, name) => s + statSync(join(dirname(db), name)).size, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

const rows = [];
for (const [i, dir] of corpora.entries()) {
  const corpus = limitCorpus(dir, maxFiles, join(scratch, `c${i}`));
  console.log('');
  console.log(`## ${dir}: ${corpus.files} files, ${mib(corpus.bytes)} MiB${corpus.limited ? ` (LIMITED to the first ${corpus.files} of ${corpus.totalFiles} files, copied to a temp dir)` : ''}`);
  const db = join(scratch, `index-${i}.db`);
  // Runs interleave (codekb, ctags -R, ctags -L, codekb, …) so that a change in the machine's load
  // falls on both sides; each codekb run starts from no index.
  const removeIndex = () => readdirSync(dirname(db)).filter((name) => name.startsWith(basename(db))).forEach((name) => rmSync(join(dirname(db), name)));
  const fulls = [timed([process.execPath, CHILD, corpus.root, db, ...childFlags])];
  const first = JSON.parse(fulls[0].stdout.trim().split('\n').at(-1));
  const sqlite = new Database(db, { readonly: true });
  const indexedPaths = sqlite.prepare("SELECT path FROM files WHERE status IN ('parsed', 'text') ORDER BY path").all().map((r) => r.path);
  const text = sqlite.prepare("SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM files WHERE status IN ('parsed', 'text')").get();
  const parsed = sqlite.prepare("SELECT count(*) AS n, coalesce(sum(size), 0) AS bytes FROM files WHERE status = 'parsed'").get();
  sqlite.close();
  const ctags = [];
  // The same files codekb indexed (it skips files over 1 MB and binaries; ctags -R does not).
  const same = [];
  for (let r = 0; r < ctagsRuns; r++) {
    ctags.push(timed(['ctags', '-R', '-f', join(scratch, 'tags'), '.'], { cwd: corpus.root }));
    same.push(timed(['ctags', ...CTAGS_MAPS, '-f', join(scratch, 'tags-same'), '-L', '-'], { cwd: corpus.root, input: indexedPaths.join('\n') }));
    if (r === 0) continue;
    removeIndex();
    fulls.push(timed([process.execPath, CHILD, corpus.root, db, ...childFlags]));
  }
  const full = { ms: median(fulls.map((f) => f.ms)), maxKiB: Math.max(...fulls.map((f) => f.maxKiB)) };
  const dbBytes = dbBytesOf(db);
  const again = timed([process.execPath, CHILD, corpus.root, db, ...childFlags]);
  const second = JSON.parse(again.stdout.trim().split('\n').at(-1));
  const ctagsMs = median(ctags.map((c) => c.ms));
  const ctagsLines = countTags(join(scratch, 'tags'));
  const sameMs = median(same.map((c) => c.ms));
  const langs = Object.entries(first.languages).sort((a, b) => b[1] - a[1]);
  const main = langs.find(([l]) => l !== 'text')?.[0] ?? 'text';
  const target = main === 'python' ? 35 : main === 'typescript' || main === 'javascript' ? 6 : null;
  console.log(`files listed ${first.files} · indexed ${text.n} (${parsed.n} parsed, ${mib(parsed.bytes)} MiB) · skipped ${first.skippedCount} (large, binary or generated) · errors ${first.errorCount}${first.errorCount ? ` e.g. ${JSON.stringify(first.firstErrors)}` : ''}`);
  console.log(`languages ${langs.map(([l, n]) => `${l}=${n}`).join(' ')} · symbols ${first.symbols} · refs ${first.refs} · ctags tags ${ctagsLines}`);
  console.log(`codekb: process wall median ${Math.round(full.ms)} ms of ${fulls.map((f) => Math.round(f.ms)).join('/')} (first run's indexRepository ${first.durationMs} ms) · peak RSS ${mib(first.vmHwmKiB * 1024)} MiB (VmHWM, parse worker threads included; /usr/bin/time ${mib(full.maxKiB * 1024)} MiB)`);
  console.log(`ctags -R: median ${Math.round(ctagsMs)} ms of ${ctags.map((c) => Math.round(c.ms)).join('/')} · peak RSS ${mib(Math.max(...ctags.map((c) => c.maxKiB)) * 1024)} MiB`);
  console.log(`ctags -L <the ${indexedPaths.length} files codekb indexed>: median ${Math.round(sameMs)} ms of ${same.map((c) => Math.round(c.ms)).join('/')}`);
  console.log(`re-index unchanged: process wall ${Math.round(again.ms)} ms (indexRepository ${second.durationMs} ms; updated ${second.updated}, unchanged ${second.unchanged})`);
  rows.push({
    name: dir.replace(/.*\.pnpm\//, '.pnpm/'),
    main,
    files: first.files,
    ms: full.ms,
    ctagsMs,
    sameMs,
    rss: first.vmHwmKiB / 1024,
    ratioSize: dbBytes / text.bytes,
    dbBytes,
    textBytes: text.bytes,
    reindexMs: again.ms,
    target,
  });
}

console.log('');
console.log("# index time is the indexing process wall time (node start to exit, like ctags's); ratio = codekb / ctags on the same files");
console.log('# (ctags -L with the files codekb indexed, median; .cjs .mts .cts .tsx .pyi mapped so ctags parses them too); ctags -R s is plain `ctags -R` of the whole directory, files codekb skips (> 1 MB, binary) included');
console.log('# size ratio = index file (+ -wal) and its text store / bytes of the files indexed as text');
printTable(
  ['corpus', 'lang', 'files', 'index s', 'ctags s', 'ctags -R s', 'ratio', '÷ -R', 'target', 'files/s', 'peak RSS MiB', 'index MiB', 'text MiB', 'size ×', 're-index s'],
  rows.map((r) => [
    r.name,
    r.main,
    r.files,
    fmt(r.ms / 1000),
    fmt(r.sameMs / 1000),
    fmt(r.ctagsMs / 1000),
    `${fmt(r.ms / r.sameMs, 1)}×`,
    `${fmt(r.ms / r.ctagsMs, 1)}×`,
    r.target ? `≤ ${r.target}× ${r.ms / r.sameMs <= r.target ? 'met' : 'MISSED'}` : '',
    Math.round(r.files / (r.ms / 1000)),
    `${fmt(r.rss, 0)} ${r.rss <= 500 ? '' : '(> 500)'}`.trim(),
    mib(r.dbBytes),
    mib(r.textBytes),
    `${fmt(r.ratioSize, 2)}× ${r.ratioSize <= 3 ? '' : '(> 3)'}`.trim(),
    fmt(r.reindexMs / 1000),
  ]),
);
printFooter();

/** Tag lines in a ctags file (its `!_` header lines aside), read in pieces: a whole node_modules tree's tags pass 512 MiB. */
function countTags(path) {
  const fd = openSync(path, 'r');
  const buffer = Buffer.allocUnsafe(1 << 20);
  let lines = 0;
  let atLineStart = true;
  let header = 0;
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) {
      for (let i = 0; i < n; i++) {
        if (atLineStart && buffer[i] === 0x21 && buffer[i + 1] === 0x5f) header++;
        atLineStart = buffer[i] === 0x0a;
        if (atLineStart) lines++;
      }
    }
  } finally {
    closeSync(fd);
  }
  return lines - header;
}
