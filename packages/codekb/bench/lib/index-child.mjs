/**
 * Runs one `indexRepository` in its own process and prints, as one JSON line, the summary, the
 * process's peak RSS (VmHWM of /proc/self/status) and its wall time from process start.
 *
 * Run: node index-child.mjs ROOT DB
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { DIST } from './common.mjs';

const [root, dbPath] = process.argv.slice(2);
const { indexRepository } = await import(DIST);
const summary = await indexRepository({ root, dbPath });
const status = readFileSync('/proc/self/status', 'utf8');
const kib = (field) => Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
const { skipped, errors, ...rest } = summary;
process.stdout.write(
  `${JSON.stringify({ ...rest, skippedCount: skipped.length, errorCount: errors.length, firstErrors: errors.slice(0, 3), vmHwmKiB: kib('VmHWM'), processMs: performance.now() })}\n`,
);
