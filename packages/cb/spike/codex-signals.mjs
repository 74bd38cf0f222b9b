#!/usr/bin/env node
// Spike (issue 4): which state signals does the real interactive Codex TUI give, and how fast?
// Real tmux (own socket), real `codex` TUI, the fake OpenAI server's request log as ground truth.
// Sources: Codex hooks (passed with -c, no file in the repo), the legacy `notify` program, the rollout
// transcript, the TUI's OSC notifications in the raw pane output (pipe-pane), and the screen.
// Usage: node packages/cb/spike/codex-signals.mjs [--reps N] [--out DIR]
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { codexBin, codexEnv, makeGitRepo, makeTempDir, seedCodexHome, startFakeOpenAI } from '@flotilla/testkit';
import { createTimeline, createTmux, findFiles, HOOK_SCRIPT, jsonlTail, poll, sleep, transitions, waitUntil, writeJson } from './lib.mjs';
import { analyseCodex } from './codex-analysis.mjs';

const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '3' }, out: { type: 'string' }, keep: { type: 'boolean' }, trust: { type: 'string', default: 'bypass' } } });
const REPS = Number(args.reps);
const TURN_DELAY_MS = 1500;
const FLOTILLA_SESSION_ID = 'fl-spike-codex-1';
const HOOK_EVENTS = ['SessionStart', 'SessionEnd', 'UserPromptSubmit', 'PreToolUse', 'PermissionRequest', 'PostToolUse', 'PreCompact', 'PostCompact', 'Stop', 'SubagentStart', 'SubagentStop', 'Interrupt', 'PreModelRequest', 'PostModelRequest'];

const dir = await makeTempDir('spike-codex-');
const out = args.out ?? join(dir.path, 'out');
const home = join(dir.path, 'home');
const repo = join(dir.path, 'repo');
for (const d of [home, repo, out]) mkdirSync(d, { recursive: true });
await makeGitRepo(repo);
const api = await startFakeOpenAI([]);
await seedCodexHome(home, { baseUrl: api.url, cwds: [repo], requestMaxRetries: 1, streamMaxRetries: 1 });

const hookSh = join(dir.path, 'hook.sh');
const hookLog = join(out, 'hooks.jsonl');
writeFileSync(hookSh, HOOK_SCRIPT);
chmodSync(hookSh, 0o755);
const q = (s) => JSON.stringify(s);
// Everything goes in as -c overrides (Codex's "sessionFlags" layer): nothing is written to the repo
// or to ~/.codex/config.toml.
const overrides = [
  `notify=[${q(hookSh)},"codex-notify",${q(hookLog)}]`,
  'approval_policy="on-request"', // a command asking for `require_escalated` gets a real approval question
  'tui.notifications=true',
  ...HOOK_EVENTS.map((ev) => `hooks.${ev}=[{hooks=[{type="command",command=${q(`${hookSh} ${ev} ${hookLog}`)}}]}]`),
];
const trustFlags = args.trust === 'bypass' ? ['--dangerously-bypass-hook-trust'] : [];

const tl = createTimeline();
const socket = `spike-codex-${process.pid}`;
const tmux = createTmux(socket);
const T = 'codex:0.0';
const env = codexEnv({ home, apiKey: 'sk-openai-test', extra: { FLOTILLA_SESSION_ID, TERM: 'xterm-256color' } });
const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
const cmd = ['env', '-i', ...envArgs, codexBin(), '--no-daemon', ...trustFlags, ...overrides.flatMap((o) => ['-c', o])];

const monitors = [];
const phases = [];
const mark = (name, detail = {}) => {
  phases.push({ name, t: Date.now(), ...detail });
  tl.add('driver', 'phase', { name, ...detail });
};

let seen = 0;
monitors.push(poll(10, () => {
  while (seen < api.requests.length) {
    const r = api.requests[seen++];
    const body = r.body ?? {};
    const input = Array.isArray(body.input) ? body.input : [];
    tl.add('server', r.kind, { path: r.path, tools: Array.isArray(body.tools) ? body.tools.length : 0, items: input.length, last: JSON.stringify(input.at(-1) ?? null).slice(0, 300), instructions: String(body.instructions ?? '').slice(0, 80) }, r.receivedAt);
  }
}));
monitors.push(poll(20, jsonlTail(hookLog, (o) => tl.add('hook', o.event ?? 'unparsed', { ...o, seenAt: Date.now() }, o.ts ?? Date.now()))));

// Rollout transcript ~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl.
const tails = new Map();
monitors.push(poll(20, () => {
  for (const f of findFiles(join(home, '.codex', 'sessions'), /^rollout-.*\.jsonl$/)) {
    if (!tails.has(f)) tails.set(f, jsonlTail(f, (o) => tl.add('transcript', `${o.type}${o.payload?.type ? `/${o.payload.type}` : ''}`, { file: basename(f), payload: JSON.stringify(o.payload ?? null).slice(0, 300), timestamp: o.timestamp })));
    tails.get(f)();
  }
}));

// Raw pane output (escape sequences included): OSC 9 / OSC 777 desktop notifications of the TUI.
const rawFile = join(out, 'pane-raw.bin');
let rawOffset = 0;
monitors.push(poll(20, () => {
  if (!existsSync(rawFile)) return;
  const buf = readFileSync(rawFile);
  if (buf.length <= rawOffset) return;
  const text = buf.subarray(rawOffset).toString('latin1');
  rawOffset = buf.length;
  for (const m of text.matchAll(/\x1b\](9|777);([^\x07\x1b]*)(\x07|\x1b\\)/g)) tl.add('osc', `osc${m[1]}`, { text: Buffer.from(m[2], 'latin1').toString('utf8') });
}));

export function classifyCodexScreen(screen) {
  if (/Would you like to (run|make|apply)/.test(screen)) return 'permission';
  if (/[Cc]ompact/.test(screen) && /esc to interrupt/.test(screen)) return 'compacting';
  if (/[Rr]econnecting/.test(screen)) return 'retrying';
  if (/esc to interrupt/.test(screen)) return 'working';
  if (/^› /m.test(screen)) return 'prompt';
  return 'other';
}
const screenTx = transitions(tl, 'screen', classifyCodexScreen);
monitors.push(poll(100, () => {
  if (tmux.paneDead(T)) return screenTx('\u0000dead', {});
  const s = tmux.capture(T);
  if (s !== '') screenTx(s, { tail: s.trimEnd().split('\n').slice(-5).join(' | ').slice(0, 300) });
}));
const screen = () => tmux.capture(T);
const is = (kind) => classifyCodexScreen(screen()) === kind;

const mainRequests = () => api.requests.filter((r) => r.kind === 'main').length;
const waitPrompt = async (label, timeoutMs = 30_000) => {
  await waitUntil(() => is('prompt'), timeoutMs, `${label}\n${screen()}`);
  await sleep(1500);
};
const send = async (text) => {
  tmux.paste(T, text);
  await sleep(150);
  tl.add('driver', 'enter', { text: text.slice(0, 60) });
  tmux.keys(T, 'Enter');
};
const command = async (text) => {
  tmux.literal(T, text);
  await sleep(400);
  tl.add('driver', 'enter', { text });
  tmux.keys(T, 'Enter');
};

try {
  tmux.run('new-session', '-d', '-s', 'codex', '-x', '200', '-y', '50', '-c', repo, ...cmd);
  tmux.run('set-option', '-t', 'codex', 'remain-on-exit', 'on');
  tmux.run('set-option', '-g', 'focus-events', 'on');
  tmux.run('pipe-pane', '-t', T, '-o', `cat >> ${rawFile}`);
  await waitUntil(() => !tmux.paneDead(T) && is('prompt'), 30_000, `startup\n${screen()}`);
  await sleep(1500);
  writeFileSync(join(out, 'screen-startup.txt'), screen());

  for (let i = 0; i < REPS; i++) {
    api.setScenario([{ text: `Plain answer ${i}.`, delayMs: TURN_DELAY_MS }]);
    mark('plain', { rep: i, delayMs: TURN_DELAY_MS });
    await send(`Say something plain, number ${i}.`);
    await waitUntil(() => mainRequests() > 0, 10_000, 'main request');
    await sleep(300);
    await waitPrompt('plain');
  }

  for (let i = 0; i < REPS; i++) {
    const answer = i === REPS - 1 ? 'Escape' : 'Enter';
    api.setScenario([
      { text: 'I will run a command.', toolUses: [{ name: 'exec_command', input: { cmd: `echo spike-${i} > perm-${i}.txt`, sandbox_permissions: 'require_escalated', justification: `May I write perm-${i}.txt?` } }] },
      { text: `Ran command ${i}.`, delayMs: TURN_DELAY_MS },
    ]);
    mark('permission', { rep: i, answer });
    await send(`Run a command, number ${i}.`);
    await waitUntil(() => is('permission'), 15_000, `approval\n${screen()}`);
    await sleep(2500);
    writeFileSync(join(out, `screen-permission-${i}.txt`), screen());
    mark('permission-answer', { rep: i, answer });
    tmux.keys(T, answer);
    await sleep(500);
    await waitPrompt('after approval');
  }

  // 429: request_max_retries=1 -> 2 requests, then the turn fails.
  api.setScenario([{ status: 429, type: 'rate_limit_exceeded', message: 'Fake rate limit', headers: { 'retry-after': '1' }, repeat: 2 }]);
  mark('ratelimit');
  await send('This one gets rate limited.');
  await sleep(1500);
  writeFileSync(join(out, 'screen-ratelimit.txt'), screen());
  await waitPrompt('rate limit', 60_000);
  writeFileSync(join(out, 'screen-ratelimit-final.txt'), screen());

  api.setScenario([{ text: 'Summary: plain answers and commands.', delayMs: TURN_DELAY_MS }]);
  mark('compact');
  await command('/compact');
  await sleep(600);
  writeFileSync(join(out, 'screen-compacting.txt'), screen());
  await waitPrompt('compact', 60_000);
  writeFileSync(join(out, 'screen-compacted.txt'), screen());

  mark('clear');
  await command('/clear');
  await sleep(2500);
  writeFileSync(join(out, 'screen-cleared.txt'), screen());

  const tricky = ['line one: Enter C-c Escape', '$(whoami) `id` ; rm -rf nothing', '\tindented with a tab', 'unicode: ✓ 日本語 — "quotes" \'single\'', 'last line'].join('\n');
  for (let i = 0; i < REPS; i++) {
    api.setScenario([{ text: `Got paste ${i}.`, delayMs: 300 }]);
    const before = mainRequests();
    const text = `${tricky}\npaste ${i}`;
    mark('paste', { rep: i, before });
    await send(text);
    await sleep(500);
    await waitPrompt('paste').catch(() => tl.add('driver', 'paste-stuck', {}));
    const prompts = tl.events.filter((e) => e.source === 'hook' && e.kind === 'UserPromptSubmit' && e.t >= phases.at(-1).t).map((e) => e.detail.payload?.prompt);
    const bodyTexts = api.requests.slice(before).filter((r) => r.kind === 'main').map((r) => JSON.stringify(r.body?.input?.at(-1) ?? null));
    tl.add('driver', 'paste-result', { rep: i, mainRequestsAdded: mainRequests() - before, promptsSubmitted: prompts.length, exact: prompts.length === 1 && prompts[0] === text, lastInput: bodyTexts[0]?.slice(0, 400) });
  }

  mark('exit');
  await command('/quit');
  await waitUntil(() => tmux.paneDead(T), 20_000, `exit\n${screen()}`);
  await sleep(1500);
  writeFileSync(join(out, 'screen-exit.txt'), screen());
  mark('end');
} catch (error) {
  console.error(error);
  writeFileSync(join(out, 'screen-error.txt'), screen());
  process.exitCode = 1;
} finally {
  for (const stop of monitors) await stop();
  tmux.kill();
  await api.close();
  const envNames = existsSync(`${hookLog}.env`) ? readFileSync(`${hookLog}.env`, 'utf8').trim().split('\n') : [];
  writeJson(join(out, 'timeline.json'), { phases, events: tl.events, hookEnvNames: envNames });
  console.log(`timeline: ${join(out, 'timeline.json')}`);
  if (process.exitCode !== 1) console.log(analyseCodex({ phases, events: tl.events, hookEnvNames: envNames }));
  if (!args.keep && args.out === undefined) await dir[Symbol.asyncDispose]();
}
