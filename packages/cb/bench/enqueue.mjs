#!/usr/bin/env node
/**
 * Enqueue latency: wall time of `cb --json --agent fake "…"` against a warm daemon, as a ratio to
 * `node -e ''` measured in the same run (target ≤ 1.4×). The two are timed alternately, so a
 * change in the machine's load hits both. Each job's agent exits at once, and the next run waits
 * until the job has ended, so no runner competes for the CPU with the command being timed. The
 * same POST /api/jobs sent from this process shows how much of cb's time is the daemon's.
 *
 * Run: node packages/cb/bench/enqueue.mjs [--runs 20] [--warmups 3]
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundTime, onCleanup } from './lib/cleanup.mjs';
import { CB_BIN, CB_DIR, createBenchHome, fakeAgentDefinition } from './lib/harness.mjs';
import { call } from './lib/http.mjs';
import { terminate } from './lib/proc.mjs';
import { numericOptions, printFooter, printHeader, summarize } from './lib/report.mjs';

const USAGE = `usage: node packages/cb/bench/enqueue.mjs [options]
  --runs N      timed runs of each command (default 20)
  --warmups N   untimed runs of each first (default 3)`;
const opts = numericOptions({ runs: 20, warmups: 3 }, USAGE);
const TARGET_RATIO = 1.4;

boundTime((opts.runs + opts.warmups) * 20_000 + 60_000, 'enqueue');
printHeader('enqueue', { runs: opts.runs, warmups: opts.warmups });

const bench = createBenchHome('enqueue', { slots: 2, agents: { fake: fakeAgentDefinition({ seconds: 0, intervalMs: 1000 }) } });
// As a user's shell would have it: the Claude CLI on PATH and a key, though the job uses `fake`.
const env = { ...bench.env, PATH: `${join(CB_DIR, 'node_modules/.bin')}:${bench.env.PATH}`, ANTHROPIC_API_KEY: 'sk-test' };
// The daemon is started by cb itself: stop whatever daemon.json names (registered after the home, so it runs first).
onCleanup(() => {
  const pid = daemonPid();
  if (pid) terminate([pid], 5000);
});

const node = () => timed(process.execPath, ['-e', '']);
const cb = (prompt) => timed(process.execPath, [CB_BIN, '--json', '--agent', 'fake', prompt]);

const start = spawnSync(process.execPath, [CB_BIN, 'daemon', 'start'], { cwd: bench.root, env, encoding: 'utf8' });
if (start.status !== 0) couldNotRun('`cb daemon start` failed', start);
const pidBefore = daemonPid();
console.log(`# daemon started by \`cb daemon start\`: pid ${pidBefore}`);

const nodeMs = [];
const cbMs = [];
const postMs = [];
for (let i = 0; i < opts.warmups + opts.runs; i++) {
  const baseline = node();
  const run = cb(`enqueue bench ${i}`);
  const job = parseJob(run);
  if (!job) couldNotRun(`\`cb --json --agent fake "…"\` did not print a Job (exit ${run.status})`, run);
  await waitEnded(job.id);
  // The daemon's share: the same request from this (already running) process.
  const posted = process.hrtime.bigint();
  const direct = await call(bench.paths.socket, 'POST', '/api/jobs', { prompt: `enqueue bench direct ${i}`, agent: 'fake', cwd: bench.root });
  const post = Number(process.hrtime.bigint() - posted) / 1e6;
  await waitEnded(direct.id);
  if (i < opts.warmups) continue;
  nodeMs.push(baseline.ms);
  cbMs.push(run.ms);
  postMs.push(post);
}
const pidAfter = daemonPid();

const n = summarize(nodeMs);
const c = summarize(cbMs);
const p = summarize(postMs);
const ratio = c.p50 / n.p50;
const f = (v) => v.toFixed(1);
console.log('');
console.log(`command                                    runs  median ms  p90 ms  min ms  max ms`);
console.log(`node -e ''                                 ${String(n.count).padStart(4)}  ${f(n.p50).padStart(9)}  ${f(n.p90).padStart(6)}  ${f(Math.min(...nodeMs)).padStart(6)}  ${f(n.max).padStart(6)}`);
console.log(`cb --json --agent fake "…" (warm daemon)   ${String(c.count).padStart(4)}  ${f(c.p50).padStart(9)}  ${f(c.p90).padStart(6)}  ${f(Math.min(...cbMs)).padStart(6)}  ${f(c.max).padStart(6)}`);
console.log(`POST /api/jobs alone (daemon's share)      ${String(p.count).padStart(4)}  ${f(p.p50).padStart(9)}  ${f(p.p90).padStart(6)}  ${f(Math.min(...postMs)).padStart(6)}  ${f(p.max).padStart(6)}`);
console.log('');
console.log(`ratio (median cb / median node): ${ratio.toFixed(2)}× — ${ratio <= TARGET_RATIO ? 'meets' : 'MISSES'} the target ≤ ${TARGET_RATIO}× · cb − node: ${f(c.p50 - n.p50)} ms`);
console.log(`daemon stayed warm: ${pidBefore === pidAfter ? `yes (pid ${pidAfter} throughout)` : `NO (pid ${pidBefore} → ${pidAfter}: a run restarted it)`}`);
printFooter();
process.exit(0);

/** Runs a command to completion; wall time from spawn to exit, as a shell's `time` would see it. */
function timed(command, args) {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: bench.root, env, encoding: 'utf8' });
  return { ...result, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

async function waitEnded(id) {
  await call(bench.paths.socket, 'GET', `/api/jobs/${id}/wait?timeoutMs=15000`);
}

function parseJob(run) {
  if (run.status !== 0) return null;
  try {
    const job = JSON.parse(run.stdout);
    return typeof job?.id === 'string' ? job : null;
  } catch {
    return null;
  }
}

function daemonPid() {
  try {
    return JSON.parse(readFileSync(bench.paths.daemonJson, 'utf8')).pid ?? null;
  } catch {
    return null;
  }
}

function couldNotRun(what, run) {
  console.log(`\nCOULD NOT RUN: ${what}`);
  console.log(`stdout: ${(run.stdout ?? '').slice(0, 1000)}`);
  console.log(`stderr: ${(run.stderr ?? '').slice(0, 2000)}`);
  process.exit(1);
}
