#!/usr/bin/env node
/**
 * Symbol search quality: two seeded samples of an index's symbols (any symbol; symbols with a
 * container), each symbol looked up with ranked `search` in three forms — its name (`parse`),
 * `Container.member` (`ZodString.parse`; the name alone without a container) and the member's and
 * container's words (`parse zod string`) — scored by the rank of its own definition (same path and
 * line) among the first `--limit` hits: hit@5 and MRR (0 when not listed).
 *
 * Run: node packages/codekb/bench/symbols.mjs [--dir DIR | --db DB --dir DIR] [--symbols N] [--seed N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { boundTime, DIST, fmt, printFooter, printHeader, printTable, rng, sample, tempDir } from './lib/common.mjs';
import { pnpmPackage } from './lib/corpus.mjs';

const USAGE = `usage: node packages/codekb/bench/symbols.mjs [options]
  --dir DIR       the indexed tree (default: zod from node_modules/.pnpm)
  --db DB         reuse an index of --dir instead of building one in a temp dir
  --symbols N     symbols per sample (default 300)
  --limit N       hits asked for per query (default 20, the tool's default)
  --seed N        sampling seed (default 1)
  --seconds S     time bound (default 600)`;
const { values } = parseArgs({ options: Object.fromEntries(['dir', 'db', 'symbols', 'limit', 'seed', 'seconds'].map((k) => [k, { type: 'string' }]).concat([['help', { type: 'boolean' }]])) });
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const dir = values.dir ?? pnpmPackage('zod');
const symbolsN = Number(values.symbols ?? 300);
const limit = Number(values.limit ?? 20);
const seed = Number(values.seed ?? 1);
if (!existsSync(DIST)) {
  console.error(`${DIST} is missing: build first (cd packages/codekb && pnpm exec tsc -b)`);
  process.exit(2);
}
if (!dir || !existsSync(dir)) {
  console.error('no tree to index: pass --dir');
  process.exit(2);
}
boundTime(Number(values.seconds ?? 600) * 1000, 'symbols');
printHeader('symbols', { dir, db: values.db ?? '(temp)', symbols: symbolsN, limit, seed });
const { openRepoIndex, search, splitIdentifier } = await import(DIST);

let dbPath = values.db;
if (dbPath === undefined) {
  dbPath = join(tempDir('symbols'), 'index.db');
  const child = spawnSync(process.execPath, [new URL('./lib/index-child.mjs', import.meta.url).pathname, dir, dbPath], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`indexing failed: ${child.stderr.slice(-2000)}`);
}
const repo = openRepoIndex({ root: dir, dbPath });
const all = repo.sqlite.prepare('SELECT f.path, s.start_line AS line, s.name, s.container FROM symbols s JOIN files f ON f.id = s.file_id ORDER BY s.id').all();
const withContainer = all.filter((s) => s.container !== null);
const samples = { any: sample(all, symbolsN, rng(seed)), 'with a container': sample(withContainer, symbolsN, rng(seed)) };
const forms = {
  name: (s) => s.name,
  'Container.member': (s) => (s.container === null ? s.name : `${s.container}.${s.name}`),
  'member container words': (s) => [...splitIdentifier(s.name), ...splitIdentifier(s.container ?? '')].join(' '),
};
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
const rows = [];
for (const [label, picked] of Object.entries(samples)) {
  for (const [form, queryOf] of Object.entries(forms)) {
    const ranks = [];
    const started = process.cpuUsage();
    for (const symbol of picked) {
      const hits = await search(repo, queryOf(symbol), { limit });
      ranks.push(hits.findIndex((hit) => hit.path === symbol.path && hit.line === symbol.line));
    }
    const cpu = process.cpuUsage(started);
    rows.push([
      label,
      form,
      ranks.length,
      fmt(mean(ranks.map((r) => (r >= 0 && r < 5 ? 1 : 0))), 3),
      fmt(mean(ranks.map((r) => (r >= 0 ? 1 / (r + 1) : 0))), 3),
      fmt(mean(ranks.map((r) => (r >= 0 ? 1 : 0))), 3),
      fmt((cpu.user + cpu.system) / 1000 / ranks.length, 2),
    ]);
  }
}
console.log(`# ${all.length} symbols in the index, ${withContainer.length} with a container; ${symbolsN} sampled from each`);
printTable(['sample', 'query form', 'queries', 'hit@5', 'MRR', `in top ${limit}`, 'CPU ms/query'], rows);
repo.close();
printFooter();
