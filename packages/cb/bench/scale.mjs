#!/usr/bin/env node
/**
 * Scale: N concurrent fake-agent jobs on one daemon. Samples every second, from /proc, the
 * daemon's RSS (VmRSS) and CPU (utime + stime), the runners' total RSS and CPU (the tmux pane
 * pids), the fake agents' (started.json), the tmux server's CPU and the host's busy share; the
 * same daemon idle with no jobs first is the baseline. Also reports when jobs were dispatched
 * and their runners started: with many jobs at once, start-up is the slow part.
 *
 * Run: node packages/cb/bench/scale.mjs [--jobs 100] [--seconds 60]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { boundTime } from './lib/cleanup.mjs';
import { agentPids, createBenchHome, fakeAgentDefinition, startDaemon, tmuxPanePids } from './lib/harness.mjs';
import { call } from './lib/http.mjs';
import { cpuSeconds, createGroupCpu, hostBusyPct, hostCpu, MiB, rssKiB } from './lib/proc.mjs';
import { numericOptions, percentile, printFooter, printHeader } from './lib/report.mjs';

const USAGE = `usage: node packages/cb/bench/scale.mjs [options]
  --jobs N            concurrent fake-agent jobs (default 100)
  --seconds S         how long each fake agent streams (default 60)
  --interval-ms MS    time between one agent's assistant lines (default 1000)
  --idle-seconds S    baseline: the daemon sampled with no jobs (default 5)`;
const opts = numericOptions({ jobs: 100, seconds: 60, 'interval-ms': 1000, 'idle-seconds': 5 }, USAGE);
const SAMPLE_MS = 1000;
/** Print a timeline row every this many samples. */
const TIMELINE_EVERY = 5;

boundTime((opts.seconds + opts['idle-seconds'] + 240) * 1000, 'scale');
printHeader('scale', { jobs: opts.jobs, seconds: opts.seconds, intervalMs: opts['interval-ms'], idleSeconds: opts['idle-seconds'] });

const bench = createBenchHome('scale', {
  slots: opts.jobs + 10,
  agents: { fake: fakeAgentDefinition({ seconds: opts.seconds, intervalMs: opts['interval-ms'] }) },
});
const socket = bench.paths.socket;
const { pid } = await startDaemon(bench);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** The pid of the home's tmux server, once it exists. */
let tmuxPid = null;

// Baseline: the same daemon, started and idle.
await sleep(1000);
const idle = await sampleWhile(() => true, opts['idle-seconds'] * 1000, null);

const createdAt = Date.now();
const ids = (
  await Promise.all(Array.from({ length: opts.jobs }, (_, i) => call(socket, 'POST', '/api/jobs', { prompt: `scale job ${i}`, agent: 'fake', cwd: bench.root })))
).map((job) => job.id);
const createMs = Date.now() - createdAt;
console.log(`# ${ids.length} jobs created in ${createMs} ms`);
console.log('');
console.log('# t: seconds since the jobs were created; panes: runners alive; ended: attempts with exit.json');
console.log('# CPU % is of one core (the host column: of all cores); runners and agents are totals over their processes');
console.log('   t s  panes  ended  daemon RSS MiB  daemon CPU %  runners RSS MiB  runners CPU %  agents RSS MiB  agents CPU %  tmux CPU %  host busy %');

let allRunningAt = null;
/** Attempts whose runner wrote exit.json (counted from the files, so sampling costs the daemon nothing). */
const ended = () => ids.filter((id) => existsSync(join(bench.paths.attemptDir(id, 1), 'exit.json'))).length;
const load = await sampleWhile(() => ended() < ids.length, (opts.seconds + 180) * 1000, (sample, i) => {
  if (allRunningAt === null && sample.panes >= ids.length) allRunningAt = sample.at;
  if (i % TIMELINE_EVERY === 0) printRow(sample);
});
await sleep(1000); // let the daemon finish the last job's bookkeeping
const page = await call(socket, 'GET', `/api/jobs?limit=500`);
const starts = startTimes();
const byStatus = {};
for (const job of page.items) byStatus[job.status] = (byStatus[job.status] ?? 0) + 1;

console.log('');
printSummary();
printFooter();
process.exit(0);

/**
 * Samples every SAMPLE_MS until `more()` is false or `maxMs` passes. CPU % is of one core over
 * each interval; the run's mean is total CPU time over wall time.
 */
async function sampleWhile(more, maxMs, onSample) {
  const samples = [];
  const start = { at: Date.now(), cpu: cpuSeconds(pid), host: hostCpu(), tmux: null };
  const groups = { runners: createGroupCpu(), agents: createGroupCpu(), agentPids: new Set() };
  let previous = start;
  for (let i = 0; Date.now() - start.at < maxMs; i++) {
    await sleep(SAMPLE_MS - ((Date.now() - start.at) % SAMPLE_MS));
    const { sample, reading } = takeSample(previous, groups, onSample !== null);
    sample.t = (sample.at - start.at) / 1000;
    samples.push(sample);
    onSample?.(sample, i);
    previous = reading;
    if (!more()) break;
  }
  const meanCpuPct = ((previous.cpu - start.cpu) / ((previous.at - start.at) / 1000)) * 100;
  return { samples, meanCpuPct, seconds: (previous.at - start.at) / 1000 };
}

/** One reading of everything; rates are over the time since `previous`. */
function takeSample(previous, groups, withJobs) {
  const at = Date.now();
  const seconds = (at - previous.at) / 1000;
  const cpu = cpuSeconds(pid);
  if (cpu === null) throw new Error(`the daemon died during the run; see ${bench.paths.daemonLog}`);
  const runners = tmuxPanePids(bench.paths);
  const host = hostCpu();
  tmuxPid ??= tmuxServerPid();
  const tmuxCpu = tmuxPid ? cpuSeconds(tmuxPid) : null;
  if (withJobs) for (const agent of agentPids(bench.paths)) groups.agentPids.add(agent);
  const agents = [...groups.agentPids];
  const sample = {
    at,
    rss: MiB(rssKiB(pid) ?? 0),
    cpuPct: ((cpu - previous.cpu) / seconds) * 100,
    panes: runners.length,
    runnersRss: MiB(runners.reduce((s, p) => s + (rssKiB(p) ?? 0), 0)),
    runnersPct: (groups.runners(runners) / seconds) * 100,
    agentsRss: MiB(agents.reduce((s, p) => s + (rssKiB(p) ?? 0), 0)),
    agentsPct: (groups.agents(agents) / seconds) * 100,
    ended: withJobs ? ended() : 0,
    tmuxPct: tmuxCpu !== null && previous.tmux !== null ? ((tmuxCpu - previous.tmux) / seconds) * 100 : NaN,
    hostPct: hostBusyPct(previous.host, host),
  };
  return { sample, reading: { at, cpu, host, tmux: tmuxCpu } };
}

function tmuxServerPid() {
  const out = spawnSync('tmux', ['-L', bench.paths.tmuxSocketName, 'display-message', '-p', '#{pid}'], { encoding: 'utf8' });
  const n = Number((out.stdout ?? '').trim());
  return out.status === 0 && n > 0 ? n : null;
}

/**
 * Seconds from creation to each job's dispatch (queued → starting, read from the outbox in the
 * SQLite file, read-only) and to its runner's started.json.
 */
function startTimes() {
  const dispatched = [];
  try {
    const Database = createRequire(new URL('../package.json', import.meta.url))('better-sqlite3');
    const db = new Database(bench.paths.db, { readonly: true, fileMustExist: true });
    const seenJobs = new Set();
    for (const row of db.prepare(`select at, payload from outbox where type = 'job.updated' order by id`).iterate()) {
      const job = JSON.parse(row.payload).job;
      if (job?.status === 'starting' && !seenJobs.has(job.id)) {
        seenJobs.add(job.id);
        dispatched.push((Date.parse(row.at) - createdAt) / 1000);
      }
    }
    db.close();
  } catch (error) {
    console.log(`# could not read the outbox: ${error.message}`);
  }
  const runners = [];
  for (const id of ids) {
    try {
      const first = readFileSync(join(bench.paths.attemptDir(id, 1), 'started.json'), 'utf8').split('\n')[0];
      runners.push((Date.parse(JSON.parse(first).startedAt) - createdAt) / 1000);
    } catch {
      // never started
    }
  }
  return { dispatched: dispatched.sort((a, b) => a - b), runners: runners.sort((a, b) => a - b) };
}

function printRow(s) {
  const pct = (v) => (Number.isNaN(v) ? '—' : v.toFixed(1));
  const cells = [
    s.t.toFixed(0).padStart(5),
    String(s.panes).padStart(5),
    String(s.ended).padStart(5),
    s.rss.toFixed(1).padStart(14),
    pct(s.cpuPct).padStart(12),
    s.runnersRss.toFixed(0).padStart(15),
    pct(s.runnersPct).padStart(13),
    s.agentsRss.toFixed(0).padStart(14),
    pct(s.agentsPct).padStart(12),
    pct(s.tmuxPct).padStart(10),
    pct(s.hostPct).padStart(11),
  ];
  console.log(cells.join('  '));
}

function stat(samples, key) {
  const values = samples.map((s) => s[key]);
  return { peak: Math.max(...values), mean: values.reduce((a, b) => a + b, 0) / (values.length || 1) };
}

function printSummary() {
  const idleRss = stat(idle.samples, 'rss');
  const rss = stat(load.samples, 'rss');
  const cpu = stat(load.samples, 'cpuPct');
  const busy = load.samples.filter((s) => s.panes > 0);
  const runners = stat(busy, 'runnersRss');
  const agents = stat(busy, 'agentsRss');
  const peakPanes = Math.max(...load.samples.map((s) => s.panes));
  const f = (n) => n.toFixed(1);
  console.log(`idle daemon (no jobs, ${idle.seconds.toFixed(0)} s):  RSS mean ${f(idleRss.mean)} MiB, peak ${f(idleRss.peak)} MiB · CPU ${f(idle.meanCpuPct)} % of one core`);
  console.log(`daemon with ${ids.length} jobs (${load.seconds.toFixed(0)} s, from creation to the last exit):`);
  console.log(`  RSS   peak ${f(rss.peak)} MiB · mean ${f(rss.mean)} MiB · peak − idle ${f(rss.peak - idleRss.mean)} MiB`);
  console.log(`  CPU   mean ${f(load.meanCpuPct)} % of one core · peak 1-s sample ${f(cpu.peak)} %`);
  console.log(`runners (tmux panes, peak ${peakPanes} at once): total RSS peak ${f(runners.peak)} MiB, mean ${f(runners.mean)} MiB · ${f(runners.peak / Math.max(1, peakPanes))} MiB each at peak`);
  console.log(`fake agents: total RSS peak ${f(agents.peak)} MiB, mean ${f(agents.mean)} MiB`);
  const allRunning = allRunningAt === null ? 'never all at once' : `${((allRunningAt - createdAt) / 1000).toFixed(0)} s after creation (±1 s sampling)`;
  console.log(`jobs: ${ids.length} created in ${createMs} ms · all running ${allRunning} · completed: ${Object.entries(byStatus).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  const spread = (xs) => (xs.length === 0 ? 'none' : `first ${f(xs[0])} s, median ${f(percentile(xs, 50))} s, last ${f(xs.at(-1))} s after creation (${xs.length} jobs)`);
  console.log(`  dispatched (queued → starting): ${spread(starts.dispatched)}`);
  console.log(`  runner started (started.json):  ${spread(starts.runners)}`);
  const tmux = load.samples.map((s) => s.tmuxPct).filter((v) => !Number.isNaN(v));
  const host = load.samples.map((s) => s.hostPct).filter((v) => !Number.isNaN(v));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / (xs.length || 1);
  const runnersCpu = mean(load.samples.map((s) => s.runnersPct));
  const agentsCpu = mean(load.samples.map((s) => s.agentsPct));
  console.log(`runners: CPU mean ${f(runnersCpu)} % of one core in total · fake agents: ${f(agentsCpu)} %`);
  console.log(`tmux server: CPU mean ${f(mean(tmux))} % of one core · host: ${f(mean(host))} % busy over all cores (mean of 1-s samples)`);
}
