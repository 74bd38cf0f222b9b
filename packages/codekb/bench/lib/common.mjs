/**
 * Shared by the codekb benches: a header that says what machine and load the run had, a time
 * bound, a temp dir removed on every exit path, percentiles and a plain table printer.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, hostname, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CODEKB_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(CODEKB_DIR, 'dist/index.js');

const steps = [];
let installed = false;

/** Registers a synchronous cleanup step (run last-registered first on exit, signal, time bound). */
export function onCleanup(step) {
  install();
  steps.push(step);
}

function runCleanup() {
  while (steps.length > 0) {
    try {
      steps.pop()();
    } catch (error) {
      process.stderr.write(`cleanup step failed: ${error?.stack ?? error}\n`);
    }
  }
}

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', runCleanup);
  for (const [signal, code] of Object.entries({ SIGINT: 130, SIGTERM: 143, SIGHUP: 129 })) {
    process.on(signal, () => {
      process.stderr.write(`\n${signal}: cleaning up\n`);
      process.exit(code);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
  process.on('unhandledRejection', (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  });
}

/** Exits with 124 after `ms` whatever the bench is doing (cleanup still runs). */
export function boundTime(ms, what) {
  install();
  const timer = setTimeout(() => {
    process.stderr.write(`\n${what}: still running after ${Math.round(ms / 1000)} s, giving up (time bound)\n`);
    process.exit(124);
  }, ms);
  timer.unref();
}

/** A temp dir removed on exit. */
export function tempDir(name) {
  const dir = mkdtempSync(join(tmpdir(), `codekb-bench-${name}-`));
  onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function loadAverage() {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: CODEKB_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function toolVersion(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return `${cmd}: not found`;
  }
}

export function printHeader(name, settings) {
  const version = JSON.parse(readFileSync(join(CODEKB_DIR, 'package.json'), 'utf8')).version;
  const cores = cpus();
  console.log(`# codekb bench: ${name} · ${new Date().toISOString()}`);
  console.log(`# host ${hostname()} · ${cores.length} cores (${cores[0]?.model.trim() ?? '?'}) · ${(totalmem() / 1024 ** 3).toFixed(1)} GiB · node ${process.version} · codekb ${version} @ ${commit()}`);
  console.log(`# ${toolVersion('ctags', ['--version'])} · ${toolVersion('rg', ['--version'])}`);
  console.log(`# load average at start (1/5/15 min): ${loadAverage()}`);
  console.log(`# settings: ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

export function printFooter() {
  console.log(`# load average at end (1/5/15 min): ${loadAverage()}`);
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

export function summarize(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

/** Prints rows (arrays of strings) under `head`, first column left-aligned. */
export function printTable(head, rows) {
  const body = rows.map((r) => r.map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const row of body) console.log(line(row));
}

/** A seeded PRNG (mulberry32), so samples are the same run to run. */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sample(items, n, random) {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}

export const fmt = (v, digits = 2) => (v === null || v === undefined || Number.isNaN(v) ? '—' : Number(v).toFixed(digits));
export const mib = (bytes) => (bytes / 1024 ** 2).toFixed(1);
