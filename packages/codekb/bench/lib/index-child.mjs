/**
 * Runs one full index in its own process and prints, as one JSON line, the summary, the process's
 * peak RSS (VmHWM of /proc/self/status: the process's, so parse worker threads count) and its wall
 * time from process start.
 *
 * By default it runs what a user runs, `codekb index ROOT --db DB --json` (the CLI's own module,
 * in this process, so its start-up and module loading are timed as ctags' are); with `--workers` or
 * `--recycle-after` (not CLI options) it calls `indexRepository` from the indexer's module.
 *
 * Run: node index-child.mjs ROOT DB [--workers N] [--recycle-after N]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { CODEKB_DIR } from './common.mjs';

const { values, positionals } = parseArgs({
  options: { workers: { type: 'string' }, 'recycle-after': { type: 'string' } },
  allowPositionals: true,
});
const [root, dbPath] = positionals;
let summary;
if (values.workers === undefined && values['recycle-after'] === undefined) {
  const out = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk) => out.push(String(chunk)) > 0;
  process.argv = [process.argv[0], 'codekb', 'index', root, '--db', dbPath, '--json'];
  try {
    await import(join(CODEKB_DIR, 'dist/cli/main.js')); // resolves once the command has finished
  } finally {
    process.stdout.write = write;
  }
  if (process.exitCode) throw new Error(`codekb index exited ${process.exitCode}: ${out.join('')}`);
  summary = JSON.parse(out.join(''));
} else {
  const { indexRepository } = await import(join(CODEKB_DIR, 'dist/index/indexer.js'));
  summary = await indexRepository({
    root,
    dbPath,
    workers: values.workers === undefined ? undefined : Number(values.workers),
    pool: values['recycle-after'] === undefined ? undefined : { recycleAfterFiles: Number(values['recycle-after']) },
  });
}
const status = readFileSync('/proc/self/status', 'utf8');
const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
const { skipped, errors, ...rest } = summary;
process.stdout.write(
  `${JSON.stringify({ ...rest, skippedCount: skipped.length, errorCount: errors.length, firstErrors: errors.slice(0, 3), vmHwmKiB: kib('VmHWM'), processMs: performance.now() })}\n`,
);
