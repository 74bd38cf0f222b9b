#!/usr/bin/env node
// Spike (issue 4): `codex app-server` (JSON-RPC, one JSON object per line over stdio) against the fake
// OpenAI server. Which notifications mark turn started / completed / approval requested / failed, and
// how fast are they relative to the fake's request log?
// Usage: node packages/cb/spike/codex-app-server.mjs [--reps N] [--out DIR]
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { codexBin, codexEnv, makeGitRepo, makeTempDir, seedCodexHome, startFakeOpenAI } from '@flotilla/testkit';
import { createTimeline, fmtStats, poll, sleep, stats, waitUntil, writeJson } from './lib.mjs';

const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '3' }, out: { type: 'string' } } });
const REPS = Number(args.reps);
const TURN_DELAY_MS = 1500;

const dir = await makeTempDir('spike-appserver-');
const out = args.out ?? join(dir.path, 'out');
const home = join(dir.path, 'home');
const repo = join(dir.path, 'repo');
for (const d of [home, repo, out]) mkdirSync(d, { recursive: true });
await makeGitRepo(repo);
const api = await startFakeOpenAI([]);
await seedCodexHome(home, { baseUrl: api.url, cwds: [repo] });
const tl = createTimeline();
let seen = 0;
const stopServerPoll = poll(10, () => {
  while (seen < api.requests.length) {
    const r = api.requests[seen++];
    tl.add('server', r.kind, { path: r.path }, r.receivedAt);
  }
});

const child = spawn(codexBin(), ['app-server'], { cwd: repo, env: codexEnv({ home, apiKey: 'sk-openai-test' }), stdio: ['pipe', 'pipe', 'pipe'] });
let stderr = '';
child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
let nextId = 1;
const pending = new Map();
/** How the spike answers approval requests (set per phase). */
let approvalDecision = 'accept';
let approvalDelayMs = 1000;
let buf = '';
child.stdout.setEncoding('utf8').on('data', (chunk) => {
  buf += chunk;
  let nl;
  while ((nl = buf.indexOf('\n')) >= 0) {
    const line = buf.slice(0, nl);
    buf = buf.slice(nl + 1);
    if (line.trim() === '') continue;
    const msg = JSON.parse(line);
    if (msg.id !== undefined && msg.method === undefined) {
      pending.get(msg.id)?.(msg);
      pending.delete(msg.id);
    } else if (msg.id !== undefined) {
      tl.add('request', msg.method, { params: msg.params });
      setTimeout(() => {
        tl.add('driver', 'approval-answer', { decision: approvalDecision });
        child.stdin.write(`${JSON.stringify({ id: msg.id, result: { decision: approvalDecision } })}\n`);
      }, approvalDelayMs);
    } else {
      tl.add('notification', msg.method, { params: msg.params });
    }
  }
});
const call = (method, params) =>
  new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, (msg) => (msg.error ? reject(new Error(`${method}: ${JSON.stringify(msg.error)}`)) : resolve(msg.result)));
    child.stdin.write(`${JSON.stringify({ id, method, params })}\n`);
  });
const notify = (method, params) => child.stdin.write(`${JSON.stringify({ method, params })}\n`);
const phases = [];
const mark = (name, detail = {}) => {
  phases.push({ name, t: Date.now(), ...detail });
  tl.add('driver', 'phase', { name, ...detail });
};
const turnCompletedSince = (t) => tl.events.some((e) => e.source === 'notification' && e.kind === 'turn/completed' && e.t >= t);

try {
  await call('initialize', { clientInfo: { name: 'flotilla-spike', version: '0.0.0' } });
  notify('initialized', {});
  const started = await call('thread/start', { cwd: repo, approvalPolicy: 'on-request' });
  const threadId = started.thread.id;
  const turn = async (text) => {
    const t = Date.now();
    await call('turn/start', { threadId, input: [{ type: 'text', text }] });
    await waitUntil(() => turnCompletedSince(t), 60_000, `turn/completed for ${text}\n${stderr.slice(-2000)}`);
    await sleep(800);
  };
  for (let i = 0; i < REPS; i++) {
    api.setScenario([{ text: `Plain answer ${i}.`, delayMs: TURN_DELAY_MS }]);
    mark('plain', { rep: i });
    await turn(`Say something plain ${i}.`);
  }
  for (let i = 0; i < REPS; i++) {
    approvalDecision = i === REPS - 1 ? 'decline' : 'accept';
    api.setScenario([
      { text: 'Running.', toolUses: [{ name: 'exec_command', input: { cmd: `echo app-${i} > app-${i}.txt`, sandbox_permissions: 'require_escalated', justification: `May I write app-${i}.txt?` } }] },
      { text: `Ran ${i}.`, delayMs: TURN_DELAY_MS },
    ]);
    mark('permission', { rep: i, decision: approvalDecision });
    await turn(`Run a command ${i}.`);
  }
  api.setScenario([{ status: 429, type: 'rate_limit_exceeded', message: 'Fake rate limit', headers: { 'retry-after': '1' }, repeat: 'forever' }]);
  mark('ratelimit');
  await turn('This one gets rate limited.');
  api.setScenario([{ text: 'Summary.', delayMs: TURN_DELAY_MS }]);
  mark('compact');
  const tc = Date.now();
  await call('thread/compact/start', { threadId });
  await waitUntil(() => tl.events.some((e) => e.source === 'notification' && /compact|turn\/completed/.test(e.kind) && e.t >= tc), 30_000, 'compaction');
  await sleep(1500);
  mark('exit');
  child.stdin.end();
  await new Promise((r) => child.once('exit', r));
  tl.add('driver', 'exited', {});
} catch (error) {
  console.error(error, stderr.slice(-3000));
  process.exitCode = 1;
} finally {
  child.kill();
  await stopServerPoll();
  await api.close();
  writeJson(join(out, 'timeline.json'), { phases, events: tl.events, stderrTail: stderr.slice(-3000) });
  console.log(`timeline: ${join(out, 'timeline.json')}`);
  console.log(analyse());
  if (args.out === undefined) await dir[Symbol.asyncDispose]();
}

function analyse() {
  const rows = new Map();
  const add = (key, v) => (rows.get(key) ?? rows.set(key, []).get(key)).push(v);
  phases.forEach((p, i) => {
    const to = phases[i + 1]?.t ?? Number.POSITIVE_INFINITY;
    const win = tl.events.filter((e) => e.t >= p.t && e.t < to).sort((a, b) => a.t - b.t);
    const mains = win.filter((e) => e.source === 'server' && e.kind === 'main');
    const first = (pred) => win.find(pred);
    const n = (m, pred = () => true) => first((e) => e.source === 'notification' && e.kind === m && pred(e));
    const status = (pred) => first((e) => e.source === 'notification' && e.kind === 'thread/status/changed' && pred(e.detail.params.status));
    const lat = (e, g) => (e && g !== undefined ? e.t - g : null);
    if (p.name === 'plain' && mains[0]) {
      add('working | turn/started', lat(n('turn/started'), mains[0].t));
      add('working | thread/status/changed active', lat(status((s) => s.type === 'active'), mains[0].t));
      add('waiting_input | turn/completed', lat(n('turn/completed'), mains[0].t + TURN_DELAY_MS));
      add('waiting_input | thread/status/changed idle', lat(status((s) => s.type === 'idle'), mains[0].t + TURN_DELAY_MS));
    }
    if (p.name === 'permission' && mains[0]) {
      add('waiting_permission | server request item/commandExecution/requestApproval', lat(first((e) => e.source === 'request'), mains[0].t));
      add('waiting_permission | thread/status/changed active[waitingOnApproval]', lat(status((s) => s.activeFlags?.includes('waitingOnApproval')), mains[0].t));
      const answer = first((e) => e.kind === 'approval-answer');
      add('approval answered | serverRequest/resolved', lat(n('serverRequest/resolved'), answer?.t));
      if (mains[1]) add('waiting_input (after tool) | turn/completed', lat(n('turn/completed'), mains[1].t + TURN_DELAY_MS));
    }
    if (p.name === 'ratelimit' && mains[0]) {
      add('rate_limited | first notification of any kind after the 429', lat(first((e) => e.source === 'notification' && e.t > mains[0].t), mains[0].t));
      add('rate_limit gave up | turn/completed (status failed)', lat(n('turn/completed'), mains.at(-1).t));
    }
  });
  const lines = ['| transition | signal | latency p50 / max |', '|---|---|---|'];
  for (const [key, vals] of rows) {
    const [transition, signal] = key.split(' | ');
    const missed = vals.filter((v) => v === null).length;
    lines.push(`| ${transition} | ${signal} | ${fmtStats(stats(vals))}${missed ? `, missed ${missed}` : ''} |`);
  }
  const methods = [...new Set(tl.events.filter((e) => e.source === 'notification' || e.source === 'request').map((e) => e.kind))];
  lines.push('', `methods seen: ${methods.join(', ')}`);
  return lines.join('\n');
}
