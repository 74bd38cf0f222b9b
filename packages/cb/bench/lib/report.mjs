/** What every bench prints: a header that says what machine and load it ran on, and plain figures. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, loadavg, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { CB_DIR } from './harness.mjs';

export function loadAverage() {
  return loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
}

function commit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: CB_DIR, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

export function printHeader(name, settings) {
  const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
  const cores = cpus();
  console.log(`# cb bench: ${name} · ${new Date().toISOString()}`);
  console.log(`# host ${hostname()} · ${cores.length} cores (${cores[0]?.model.trim() ?? '?'}) · ${(totalmem() / 1024 ** 3).toFixed(1)} GiB · node ${process.version} · cb ${version} @ ${commit()}`);
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
  const mean = sorted.reduce((s, v) => s + v, 0) / (sorted.length || 1);
  return { count: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN, mean };
}

const ms = (v) => (Number.isNaN(v) ? '—' : `${Math.round(v)}`);

/** A fixed-width latency table: one row per measured path, with the target beside. */
export function printLatencyTable(rows) {
  const head = ['path', 'count', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'target'];
  const body = rows.map(({ label, stats, target }) => [label, String(stats.count), ms(stats.p50), ms(stats.p90), ms(stats.p99), ms(stats.max), target ?? '']);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(head));
  for (const row of body) console.log(line(row));
}

/** `--name value` options with numeric defaults; `--help` prints `usage`. */
export function numericOptions(defaults, usage) {
  const { values } = parseArgs({
    options: { ...Object.fromEntries(Object.keys(defaults).map((k) => [k, { type: 'string' }])), help: { type: 'boolean' } },
    strict: true,
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const out = {};
  for (const [key, fallback] of Object.entries(defaults)) {
    const n = values[key] === undefined ? fallback : Number(values[key]);
    if (!Number.isFinite(n) || n < 0) {
      console.error(`--${key} must be a non-negative number`);
      process.exit(2);
    }
    out[key] = n;
  }
  return out;
}
