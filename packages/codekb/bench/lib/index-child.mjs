/**
 * Runs one `indexRepository` in its own process and prints, as one JSON line, the summary, the
 * process's peak RSS (VmHWM of /proc/self/status: the process's, so parse worker threads count)
 * and its wall time from process start.
 *
 * Run: node index-child.mjs ROOT DB [--workers N] [--recycle-after N]
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { DIST } from './common.mjs';

const { values, positionals } = parseArgs({
  options: { workers: { type: 'string' }, 'recycle-after': { type: 'string' } },
  allowPositionals: true,
});
const [root, dbPath] = positionals;
const { indexRepository } = await import(DIST);
const summary = await indexRepository({
  root,
  dbPath,
  workers: values.workers === undefined ? undefined : Number(values.workers),
  pool: values['recycle-after'] === undefined ? undefined : { recycleAfterFiles: Number(values['recycle-after']) },
});
const status = readFileSync('/proc/self/status', 'utf8');
const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
const { skipped, errors, ...rest } = summary;
process.stdout.write(
  `${JSON.stringify({ ...rest, skippedCount: skipped.length, errorCount: errors.length, firstErrors: errors.slice(0, 3), vmHwmKiB: kib('VmHWM'), processMs: performance.now() })}\n`,
);
