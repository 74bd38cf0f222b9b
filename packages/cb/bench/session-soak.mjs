#!/usr/bin/env node
/**
 * The soak: a dozen real Claude Code TUI sessions through the daemon for hours, ordinary turns
 * all along, and every few minutes one scripted fault on one session, in turn:
 *   crash      — the agent is killed (SIGKILL): the watchdog must restart it and resume;
 *   full       — a reply reports a nearly full context: the watchdog must send /compact;
 *   ratelimit  — the API answers 429 until Claude gives up: the watchdog must hold the session
 *                and say `continue` after the wait;
 *   stuck      — the model asks to run a tool: the session must be announced as stuck; the soak
 *                then plays the person the notification reached and answers it.
 * A fault is recovered when the session is back to waiting for input and takes an ordinary turn.
 * Nothing else is done by hand; a session that ends `exited` is a failure.
 *
 *   node packages/cb/bench/session-soak.mjs [--sessions 12] [--minutes 120] [--fault-every-s 180] [--turn-every-s 15]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { call, subscribeEvents } from './lib/http.mjs';
import { boundTime } from './lib/cleanup.mjs';
import { claudeDaemonHome, startClaudeWorld, waitFor } from './lib/claude-tui.mjs';
import { startDaemon } from './lib/harness.mjs';
import { cpuSeconds, rssKiB, MiB } from './lib/proc.mjs';
import { loadAverage, numericOptions, printFooter, printHeader, printLatencyTable, summarize } from './lib/report.mjs';

const options = numericOptions(
  { sessions: 12, minutes: 120, 'fault-every-s': 180, 'turn-every-s': 15 },
  'usage: node packages/cb/bench/session-soak.mjs [--sessions 12] [--minutes 120] [--fault-every-s 180] [--turn-every-s 15]',
);
const RUN_MS = options.minutes * 60_000;
/** Shortened watchdog clocks, so each fault resolves within a couple of minutes. */
const WATCHDOG = { stuckAfterMs: 45_000, rateLimitWaitMs: 30_000, compactAtPercent: 80, contextCheckMs: 3_000, compactCooldownMs: 60_000, tickMs: 1_000 };
const RECOVERY_MS = 240_000;
const FAULTS = ['crash', 'full', 'ratelimit', 'stuck'];

boundTime(RUN_MS + 15 * 60_000, 'session-soak');
printHeader('session-soak (daemon, real Claude Code TUIs, scripted faults)', { ...options, watchdog: JSON.stringify(WATCHDOG) });

const world = await startClaudeWorld('soak');
const bench = await claudeDaemonHome('soak', world, { watchdog: WATCHDOG, notifySend: false });
const daemon = await startDaemon(bench);
const socket = bench.paths.socket;
const api = world.api;
// Each session works in its own directory, which Claude puts in its system prompt: the key of its script.
api.routeBy((request) => /soak-(s\d\d)/.exec(JSON.stringify(request.body ?? ''))?.[1] ?? null);

const names = Array.from({ length: options.sessions }, (_, i) => `s${String(i + 1).padStart(2, '0')}`);
const busy = new Set();
const notices = [];
await subscribeEvents(socket, (event) => {
  if (event.type === 'notification' && event.sessionId) notices.push({ ...event, receivedAt: Date.now() });
});
const get = (name) => call(socket, 'GET', `/api/sessions/${name}`);
const log = async (name) => (await call(socket, 'GET', `/api/sessions/${name}/log`)).map((e) => `${e.kind} ${e.message}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(name, ok, timeoutMs, what) {
  let last;
  await waitFor(async () => ok((last = await get(name))), timeoutMs, () => `${name}: ${what}; it is ${last?.state} (${last?.source}), restarts ${last?.restarts}`);
  return last;
}

/** One ordinary turn: scripted answer, `cb send`, back to waiting for input. */
async function turn(name, text) {
  api.setScenarioFor(name, [{ text: `ok: ${text}`, delayMs: 800 }]);
  const receipt = await call(socket, 'POST', `/api/sessions/${name}/send`, { text });
  if (!receipt.delivered) throw new Error(`${name}: "${text}" not delivered: ${receipt.error}`);
  await until(name, (s) => s.state === 'waiting_input', 90_000, `the turn "${text}" to finish`);
}

async function logShows(name, pattern, since) {
  return (await call(socket, 'GET', `/api/sessions/${name}/log`)).some((e) => e.at >= since && pattern.test(e.message));
}

const injectors = {
  async crash(name) {
    const before = await get(name);
    process.kill(before.pid, 'SIGKILL');
    await until(name, (s) => s.restarts > before.restarts && s.state !== 'exited' && s.state !== 'unknown', RECOVERY_MS, 'a restart');
    await sleep(1500); // the restarted TUI's input box takes keys a moment after SessionStart
  },
  async full(name) {
    const since = new Date().toISOString();
    api.setScenarioFor(name, [{ text: 'a long answer', usage: { input_tokens: 168_000, output_tokens: 2_000 } }, { text: 'Summary of the conversation.' }]);
    await call(socket, 'POST', `/api/sessions/${name}/send`, { text: 'fill the context' });
    await waitFor(() => logShows(name, /sent \/compact/, since), RECOVERY_MS, `${name}: no /compact`);
    await until(name, (s) => s.state === 'waiting_input' && s.since > since, RECOVERY_MS, 'the compaction to end');
  },
  async ratelimit(name) {
    const since = new Date().toISOString();
    api.setScenarioFor(name, [{ status: 429, type: 'rate_limit_error', message: 'soak rate limit', repeat: 3 }, { text: 'resumed after the limit' }]);
    await call(socket, 'POST', `/api/sessions/${name}/send`, { text: 'hit the limit' });
    await until(name, (s) => s.state === 'rate_limited' && s.source === 'watchdog', RECOVERY_MS, 'the rate-limit hold');
    await waitFor(() => logShows(name, /sent "continue"/, since), RECOVERY_MS, `${name}: no continue`);
    await until(name, (s) => s.state === 'waiting_input', RECOVERY_MS, 'the resumed turn to end');
  },
  async stuck(name) {
    const since = Date.now();
    // A write needs permission (a read-only `echo` alone would be allowed without asking).
    api.setScenarioFor(name, [{ toolUses: [{ name: 'Bash', input: { command: `echo soak > soak-${since}.txt`, description: 'write a file' } }] }, { text: 'ran it' }]);
    await call(socket, 'POST', `/api/sessions/${name}/send`, { text: 'run a command' });
    await until(name, (s) => s.state === 'waiting_permission', 60_000, 'the permission question');
    await waitFor(() => notices.some((n) => n.kind === 'stuck' && n.receivedAt >= since && n.title.startsWith(`${name} `)), RECOVERY_MS, `${name}: no stuck notice`);
    await call(socket, 'POST', `/api/sessions/${name}/answer`, { answer: 'yes' }); // the person, notified
    await until(name, (s) => s.state === 'waiting_input', RECOVERY_MS, 'the answered turn to end');
  },
};

const results = [];
const turnLatencies = [];
let turns = 0;
let turnFailures = [];

async function fault(kind, name) {
  busy.add(name);
  const started = Date.now();
  try {
    await injectors[kind](name);
    await turn(name, `after ${kind}`);
    results.push({ kind, name, ok: true, ms: Date.now() - started });
  } catch (error) {
    results.push({ kind, name, ok: false, ms: Date.now() - started, error: `${error.message}\n    log: ${(await log(name).catch(() => [])).slice(-6).join(' | ')}` });
  } finally {
    busy.delete(name);
  }
}

for (const name of names) {
  const cwd = join(world.repo, `soak-${name}`);
  mkdirSync(cwd, { recursive: true });
  await call(socket, 'POST', '/api/sessions', { name, agent: 'claude', cwd });
}
for (const name of names) await until(name, (s) => s.state === 'idle', 120_000, 'idle');
await sleep(2000);
// Claude compacts only a conversation of a few turns: two each to begin with.
for (const name of names) for (const n of [1, 2]) await turn(name, `warm-up ${n}`);

const started = Date.now();
const cpuStart = cpuSeconds(daemon.pid);
const pending = [];
let nextFault = Date.now() + options['fault-every-s'] * 1000;
let faultIndex = 0;
while (Date.now() - started < RUN_MS) {
  if (Date.now() >= nextFault) {
    const kind = FAULTS[faultIndex % FAULTS.length];
    // Every kind reaches every session over the rounds (a plain rotation would pin one kind to each).
    const name = names[(faultIndex + Math.floor(faultIndex / names.length)) % names.length];
    faultIndex += 1;
    nextFault += options['fault-every-s'] * 1000;
    if (!busy.has(name)) pending.push(fault(kind, name));
  }
  const idle = names.filter((n) => !busy.has(n));
  const name = idle[turns % Math.max(1, idle.length)];
  if (name) {
    const t0 = Date.now();
    busy.add(name);
    try {
      await turn(name, `turn ${turns}`);
      turnLatencies.push(Date.now() - t0);
    } catch (error) {
      turnFailures.push(error.message);
    } finally {
      busy.delete(name);
      turns += 1;
    }
  }
  await sleep(options['turn-every-s'] * 1000);
}
await Promise.all(pending);
const cpu = cpuSeconds(daemon.pid) - cpuStart;
const final = await Promise.all(names.map(get));

console.log('');
for (const kind of FAULTS) {
  const of = results.filter((r) => r.kind === kind);
  const ok = of.filter((r) => r.ok);
  console.log(`${kind.padEnd(10)} injected ${of.length}, recovered ${ok.length}${ok.length ? `, recovery p50 ${Math.round(summarize(ok.map((r) => r.ms / 1000)).p50)} s, max ${Math.round(Math.max(...ok.map((r) => r.ms / 1000)))} s` : ''}`);
}
printLatencyTable([{ label: 'ordinary turn (send → waiting_input)', stats: summarize(turnLatencies) }]);
console.log(`ordinary turns: ${turns}, failed ${turnFailures.length}`);
console.log(`sessions at the end: ${final.map((s) => `${s.name} ${s.state} r${s.restarts}`).join(', ')}`);
console.log(`notifications: ${Object.entries(notices.reduce((m, n) => ({ ...m, [n.kind]: (m[n.kind] ?? 0) + 1 }), {})).map(([k, v]) => `${k} ${v}`).join(', ')}`);
console.log(`daemon: ${((cpu / ((Date.now() - started) / 1000)) * 100).toFixed(1)} % of a core, RSS ${MiB(rssKiB(daemon.pid)).toFixed(0)} MiB; load ${loadAverage()}`);
for (const r of results.filter((r) => !r.ok)) console.log(`FAILED ${r.kind} on ${r.name}: ${r.error}`);
for (const message of turnFailures.slice(0, 10)) console.log(`FAILED turn: ${message}`);
const exited = final.filter((s) => s.state === 'exited');
const failed = results.filter((r) => !r.ok).length + turnFailures.length + exited.length;
console.log(`\n${failed === 0 ? 'PASS' : 'FAIL'}: ${results.length} faults, ${failed} failures, ${exited.length} sessions exited`);
printFooter();
process.exit(failed === 0 ? 0 : 1);
