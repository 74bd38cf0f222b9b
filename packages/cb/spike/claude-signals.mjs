#!/usr/bin/env node
// Spike (issue 4): which state signals does the real interactive Claude Code TUI give, and how fast?
// Real tmux (own socket), real `claude` TUI, the fake Anthropic server's request log as ground truth.
// Usage: node packages/cb/spike/claude-signals.mjs [--reps N] [--out DIR]
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { claudeBin, claudeEnv, makeGitRepo, makeTempDir, seedClaudeHome, startFakeAnthropic } from '@flotilla/testkit';
import { createTimeline, createTmux, findFiles, HOOK_SCRIPT, jsonlTail, poll, runAsync, sleep, transitions, waitUntil, writeJson } from './lib.mjs';
import { analyseClaude } from './claude-analysis.mjs';

const { values: args } = parseArgs({ options: { reps: { type: 'string', default: '3' }, out: { type: 'string' }, keep: { type: 'boolean' } } });
const REPS = Number(args.reps);
const API_KEY = 'sk-ant-test-0123456789abcdefghijklmnop';
/** Scripted model latency: long enough that `working` is observable by every poller. */
const TURN_DELAY_MS = 1500;
const FLOTILLA_SESSION_ID = 'fl-spike-claude-1';
const HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'PostToolBatch', 'Notification', 'UserPromptSubmit', 'UserPromptExpansion', 'SessionStart', 'SessionEnd', 'Stop', 'StopFailure', 'SubagentStart', 'SubagentStop', 'PreCompact', 'PostCompact', 'PermissionRequest', 'PermissionDenied', 'Setup', 'TeammateIdle', 'TaskCreated', 'TaskCompleted', 'Elicitation', 'ElicitationResult', 'ConfigChange', 'WorktreeCreate', 'WorktreeRemove', 'InstructionsLoaded', 'CwdChanged', 'FileChanged', 'MessageDisplay'];

const dir = await makeTempDir('spike-claude-');
const out = args.out ?? join(dir.path, 'out');
const home = join(dir.path, 'home');
const repo = join(dir.path, 'repo');
for (const d of [home, repo, out]) mkdirSync(d, { recursive: true });
await makeGitRepo(repo);
await seedClaudeHome(home, { apiKey: API_KEY, cwd: repo, bypass: false });
// The idle_prompt Notification waits messageIdleNotifThresholdMs (a ~/.claude.json key, default 60000)
// after a turn ends; shortened here so the spike can see it fire.
const IDLE_NOTIF_MS = 2500;
const claudeJson = JSON.parse(readFileSync(join(home, '.claude.json'), 'utf8'));
writeJson(join(home, '.claude.json'), { ...claudeJson, messageIdleNotifThresholdMs: IDLE_NOTIF_MS });

// Hooks live in a generated settings file passed with --settings: nothing is written into the repo.
const hookSh = join(dir.path, 'hook.sh');
const hookLog = join(out, 'hooks.jsonl');
writeFileSync(hookSh, HOOK_SCRIPT);
chmodSync(hookSh, 0o755);
const settings = { hooks: {} };
for (const ev of HOOK_EVENTS) settings.hooks[ev] = [{ matcher: '*', hooks: [{ type: 'command', command: `${hookSh} ${ev} ${hookLog}` }] }];
const settingsFile = join(dir.path, 'flotilla-settings.json');
writeJson(settingsFile, settings);

const api = await startFakeAnthropic([]);
const tl = createTimeline();
const tmux = createTmux(`spike-claude-${process.pid}`);
const T = 'claude:0.0';
const env = claudeEnv({ home, baseUrl: api.url, apiKey: API_KEY, maxRetries: 2, extra: { FLOTILLA_SESSION_ID, TERM: 'xterm-256color' } });
const envArgs = Object.entries(env).map(([k, v]) => `${k}=${v}`);
const cmd = ['env', '-i', ...envArgs, claudeBin(), '--settings', settingsFile, '--model', 'sonnet'];

// --- monitors -----------------------------------------------------------------------------------
const monitors = [];
const phases = [];
let phase = 'startup';
const mark = (name, detail = {}) => {
  phase = name;
  phases.push({ name, t: Date.now(), ...detail });
  tl.add('driver', 'phase', { name, ...detail });
};

// Fake server: the ground truth. Requests are recorded on arrival; answers leave after delayMs.
let seenRequests = 0;
monitors.push(poll(10, () => {
  while (seenRequests < api.requests.length) {
    const r = api.requests[seenRequests++];
    const body = r.body ?? {};
    const msgs = Array.isArray(body.messages) ? body.messages : [];
    tl.add('server', r.kind, { path: r.path, tools: Array.isArray(body.tools) ? body.tools.length : 0, messages: msgs.length, system: typeof body.system === 'string' ? body.system.slice(0, 80) : Array.isArray(body.system) ? String(body.system.at(-1)?.text ?? '').slice(0, 80) : undefined, lastUser: JSON.stringify(msgs.at(-1)?.content ?? null).slice(0, 300) }, r.receivedAt);
  }
}));

// Hooks: the hook's own clock (ts) is the signal time.
const tailHooks = jsonlTail(hookLog, (o) => tl.add('hook', o.event ?? 'unparsed', { ...o, seenAt: Date.now() }, o.ts ?? Date.now()));
monitors.push(poll(20, tailHooks));

// Live session file ~/.claude/sessions/<pid>.json.
const sessDir = join(home, '.claude', 'sessions');
let lastSess = '';
monitors.push(poll(20, () => {
  const files = existsSync(sessDir) ? readdirSync(sessDir).filter((f) => f.endsWith('.json')) : [];
  const text = files.map((f) => `${f}:${readFileSync(join(sessDir, f), 'utf8')}`).join('\n');
  if (text === lastSess) return;
  lastSess = text;
  if (files.length === 0) return tl.add('sessionfile', 'gone', {});
  const s = JSON.parse(readFileSync(join(sessDir, files[0]), 'utf8'));
  tl.add('sessionfile', s.status ?? 'unknown', { file: files[0], ...s });
}));

// Transcript(s) under ~/.claude/projects/<slug>/<session>.jsonl.
const tails = new Map();
monitors.push(poll(20, () => {
  for (const f of findFiles(join(home, '.claude', 'projects'), /\.jsonl$/)) {
    if (!tails.has(f)) tails.set(f, jsonlTail(f, (o) => tl.add('transcript', transcriptKind(o), { file: basename(f), type: o.type, subtype: o.subtype, isApiErrorMessage: o.isApiErrorMessage, error: o.error, apiErrorStatus: o.apiErrorStatus, promptSource: o.promptSource, content: JSON.stringify(o.message?.content ?? o.content ?? null).slice(0, 200), timestamp: o.timestamp, stop: o.message?.stop_reason })));
    tails.get(f)();
  }
}));
function transcriptKind(o) {
  if (o.type === 'user') {
    const c = o.message?.content;
    if (Array.isArray(c) && c.some((b) => b.type === 'tool_result')) return 'user-tool-result';
    return o.isCompactSummary ? 'user-compact-summary' : 'user';
  }
  if (o.type === 'assistant') return o.isApiErrorMessage ? 'assistant-api-error' : `assistant-${o.message?.stop_reason ?? 'partial'}`;
  if (o.type === 'system') return `system-${o.subtype ?? ''}`;
  return o.type ?? 'unknown';
}

// Screen: capture-pane every 100 ms, classified by the markers in agent-clis.md §5.
export function classifyClaudeScreen(screen) {
  if (/Do you want to (proceed|create|make this edit)/.test(screen)) return 'permission';
  if (/Compacting conversation/i.test(screen)) return 'compacting';
  if (/API error · Retrying/.test(screen)) return 'retrying';
  if (/esc to interrupt/.test(screen)) return 'working';
  if (/^❯ /m.test(screen)) return 'prompt';
  return 'other';
}
const screenTx = transitions(tl, 'screen', classifyClaudeScreen);
monitors.push(poll(100, () => {
  if (tmux.paneDead(T)) return screenTx('\u0000dead', {});
  const s = tmux.capture(T);
  if (s === '') return;
  screenTx(s, { tail: s.trimEnd().split('\n').slice(-6).join(' | ').slice(0, 300) });
}));
const screenKindOf = (kind) => (s) => classifyClaudeScreen(s) === kind;
const screen = () => tmux.capture(T);

// --- driver -------------------------------------------------------------------------------------
const mainRequests = () => api.requests.filter((r) => r.kind === 'main').length;
const lastSessionStatus = () => [...tl.events].reverse().find((e) => e.source === 'sessionfile')?.kind;
/** Idle again after `since`: a session-file `idle` written after it, and the prompt on screen. */
const idleSince = (since) => tl.events.some((e) => e.source === 'sessionfile' && e.kind === 'idle' && e.t > since);
const waitIdle = async (label, since, { timeoutMs = 30_000, settleMs = 1200 } = {}) => {
  await waitUntil(() => idleSince(since) && screenKindOf('prompt')(screen()), timeoutMs, `${label}: idle\n${screen()}`);
  await sleep(settleMs); // let late signals (Stop hook after idle etc.) land before the next phase
};
const waitMain = (before) => waitUntil(() => mainRequests() > before, 10_000, 'main request');
const send = async (text) => {
  tmux.paste(T, text);
  await sleep(150); // the TUI must see the paste end before Enter, or Enter lands inside the paste
  tl.add('driver', 'enter', { text: text.slice(0, 60) });
  tmux.keys(T, 'Enter');
};

try {
  tmux.run('new-session', '-d', '-s', 'claude', '-x', '200', '-y', '50', '-c', repo, ...cmd);
  tmux.run('set-option', '-t', 'claude', 'remain-on-exit', 'on');
  await waitUntil(() => lastSessionStatus() === 'idle' || screenKindOf('prompt')(screen()), 30_000, `startup\n${screen()}`);
  await sleep(1500);
  writeFileSync(join(out, 'screen-startup.txt'), screen());
  // `claude agents --json` while an interactive session runs in this HOME.
  const agents = await runAsync(claudeBin(), ['agents', '--json'], { env, cwd: repo });
  tl.add('agents', 'listed', { ms: agents.ms, code: agents.code, stdout: agents.stdout.slice(0, 2000), stderr: agents.stderr.slice(0, 500) });

  // (a) plain answer with a delay: working -> waiting_input
  for (let i = 0; i < REPS; i++) {
    api.setScenario([{ text: `Plain answer ${i}.`, delayMs: TURN_DELAY_MS }]);
    mark('plain', { rep: i, delayMs: TURN_DELAY_MS });
    const before = mainRequests();
    await send(`Say something plain, number ${i}.`);
    await waitMain(before);
    // Long enough for the idle_prompt Notification (IDLE_NOTIF_MS after the turn ends).
    await waitIdle('plain', api.requests.at(-1).receivedAt, { settleMs: IDLE_NOTIF_MS + 1500 });
  }

  // (b) a Bash tool call without bypass -> waiting_permission; answer via keys (Enter = Yes, Escape = No)
  for (let i = 0; i < REPS; i++) {
    const answer = i === REPS - 1 ? 'Escape' : 'Enter';
    api.setScenario([
      { text: 'I will run a command.', toolUses: [{ name: 'Bash', input: { command: `echo spike-${i} > perm-${i}.txt`, description: `Write perm-${i}.txt` } }] },
      { text: `Ran command ${i}.`, delayMs: TURN_DELAY_MS },
    ]);
    mark('permission', { rep: i, answer });
    const before = mainRequests();
    await send(`Run a command, number ${i}.`);
    await waitMain(before);
    await waitUntil(() => screenKindOf('permission')(screen()), 15_000, `permission prompt\n${screen()}`);
    // The permission_prompt Notification is sent only after 6 s without input (hard-coded in 2.1.197).
    await sleep(7000);
    writeFileSync(join(out, `screen-permission-${i}.txt`), screen());
    mark('permission-answer', { rep: i, answer });
    const answeredAt = Date.now();
    tmux.keys(T, answer);
    await waitIdle('after permission', answeredAt);
  }

  // (c) 429 rate limit: CLAUDE_CODE_MAX_RETRIES=2 -> 3 requests, then the turn fails
  api.setScenario([{ status: 429, type: 'rate_limit_error', message: 'Fake rate limit', headers: { 'retry-after': '1' }, repeat: 3 }]);
  mark('ratelimit');
  const beforeRl = mainRequests();
  await send('This one gets rate limited.');
  await waitMain(beforeRl);
  await sleep(600);
  writeFileSync(join(out, 'screen-ratelimit-retrying.txt'), screen());
  await waitUntil(() => mainRequests() >= beforeRl + 3, 30_000, 'three 429s');
  await waitIdle('rate limit', api.requests.at(-1).receivedAt, { timeoutMs: 60_000 });
  writeFileSync(join(out, 'screen-ratelimit-final.txt'), screen());

  // (e) compaction via /compact (before /clear, so there is history to compact)
  api.setScenario([{ text: '<summary>The user asked for plain answers and commands.</summary>', delayMs: TURN_DELAY_MS }]);
  mark('compact');
  tmux.literal(T, '/compact');
  await sleep(300);
  tl.add('driver', 'enter', { text: '/compact' });
  const compactAt = Date.now();
  tmux.keys(T, 'Enter');
  await sleep(500);
  writeFileSync(join(out, 'screen-compacting.txt'), screen());
  await waitIdle('compact', compactAt + 100, { timeoutMs: 60_000 });
  writeFileSync(join(out, 'screen-compacted.txt'), screen());

  // (d) /clear -> idle (no turn since clear)
  mark('clear');
  tmux.literal(T, '/clear');
  await sleep(300);
  tl.add('driver', 'enter', { text: '/clear' });
  tmux.keys(T, 'Enter');
  await sleep(2500);
  writeFileSync(join(out, 'screen-cleared.txt'), screen());

  // Bracketed paste: tricky multi-line text + Enter must be exactly one turn.
  const tricky = ['line one: Enter C-c Escape', '$(whoami) `id` ; rm -rf nothing', '\tindented with a tab', 'unicode: ✓ 日本語 — "quotes" \'single\'', 'last line'].join('\n');
  const variants = [...Array.from({ length: REPS }, () => 'bracketed'), 'bracketed-no-gap', 'unbracketed'];
  for (const [i, variant] of variants.entries()) {
    api.setScenario([{ text: `Got paste ${i}.`, delayMs: 300 }]);
    const before = mainRequests();
    const text = `${tricky}\npaste ${i}`;
    mark('paste', { rep: i, variant, before });
    if (variant === 'unbracketed') {
      // For contrast: the same text without bracketed-paste markers (each newline is a key press).
      const r = spawnSync('tmux', ['-L', `spike-claude-${process.pid}`, 'load-buffer', '-b', 'raw', '-'], { input: text });
      if (r.status !== 0) throw new Error('load-buffer');
      tmux.run('paste-buffer', '-d', '-b', 'raw', '-t', T);
      await sleep(150);
      tl.add('driver', 'enter', { text: text.slice(0, 60) });
      tmux.keys(T, 'Enter');
    } else if (variant === 'bracketed-no-gap') {
      tmux.paste(T, text);
      tl.add('driver', 'enter', { text: text.slice(0, 60) });
      tmux.keys(T, 'Enter');
    } else {
      await send(text);
    }
    const sentAt = Date.now();
    await waitUntil(() => mainRequests() > before, 5000, 'paste turn').catch(() => {});
    await waitIdle('paste', sentAt).catch(async (error) => {
      // A paste that left text in the input box never became a turn: clear it for the next one.
      tl.add('driver', 'paste-stuck', { message: String(error).slice(0, 300) });
      tmux.keys(T, 'C-u');
      await sleep(1000);
    });
    const prompts = tl.events.filter((e) => e.source === 'hook' && e.kind === 'UserPromptSubmit' && e.t >= phases.at(-1).t).map((e) => e.detail.payload?.prompt);
    tl.add('driver', 'paste-result', { rep: i, variant, mainRequestsAdded: mainRequests() - before, promptsSubmitted: prompts.length, exact: prompts.length === 1 && prompts[0] === text });
  }

  const agents2 = await runAsync(claudeBin(), ['agents', '--json', '--all'], { env, cwd: repo });
  tl.add('agents', 'listed-all', { ms: agents2.ms, code: agents2.code, stdout: agents2.stdout.slice(0, 2000), stderr: agents2.stderr.slice(0, 500) });

  // (f) exit via /exit
  mark('exit');
  tmux.literal(T, '/exit');
  await sleep(300);
  tl.add('driver', 'enter', { text: '/exit' });
  tmux.keys(T, 'Enter');
  await waitUntil(() => tmux.paneDead(T), 20_000, `exit\n${screen()}`);
  await sleep(1500);
  writeFileSync(join(out, 'screen-exit.txt'), screen());

  // Claude Code's own background sessions: `claude --bg` and what `claude agents --json` shows of them.
  api.setScenario([{ text: 'Background answer.', delayMs: 3000 }]);
  mark('background');
  const bg = await runAsync(claudeBin(), ['--bg', '--settings', settingsFile, 'Say hi in the background.'], { env, cwd: repo });
  tl.add('agents', 'bg-started', { ms: bg.ms, code: bg.code, stdout: bg.stdout.slice(0, 1500), stderr: bg.stderr.slice(0, 1500) });
  for (const wait of [500, 4000]) {
    await sleep(wait);
    const list = await runAsync(claudeBin(), ['agents', '--json', '--all'], { env, cwd: repo });
    tl.add('agents', 'listed-bg', { ms: list.ms, code: list.code, stdout: list.stdout.slice(0, 3000), stderr: list.stderr.slice(0, 500) });
  }
  const bgId = /backgrounded · (\S+)/.exec(bg.stdout)?.[1];
  if (bgId) {
    const logs = await runAsync(claudeBin(), ['logs', bgId], { env, cwd: repo });
    tl.add('agents', 'bg-logs', { code: logs.code, stdout: logs.stdout.slice(-3000), stderr: logs.stderr.slice(0, 500) });
  }
  tl.add('agents', 'bg-requests', { requests: api.requests.filter((r) => r.receivedAt > phases.at(-1).t).map((r) => ({ kind: r.kind, path: r.path, session: r.headers['x-claude-code-session-id'] })) });
  mark('end');
} catch (error) {
  console.error(error);
  writeFileSync(join(out, 'screen-error.txt'), screen());
  process.exitCode = 1;
} finally {
  for (const stop of monitors) await stop();
  tmux.kill();
  // `claude --bg` started a transient supervisor (`claude daemon run --origin transient`, reparented
  // to init, sockets under /tmp/cc-daemon-<uid>/) that outlives this script unless stopped.
  const stopped = await runAsync(claudeBin(), ['daemon', 'stop', '--any'], { env, cwd: repo });
  tl.add('agents', 'daemon-stop', { code: stopped.code, stdout: stopped.stdout.slice(0, 500), stderr: stopped.stderr.slice(0, 500) });
  await api.close();
  const envNames = existsSync(`${hookLog}.env`) ? readFileSync(`${hookLog}.env`, 'utf8').trim().split('\n') : [];
  writeJson(join(out, 'timeline.json'), { phases, events: tl.events, hookEnvNames: envNames, requests: api.requests.map((r) => ({ kind: r.kind, path: r.path, receivedAt: r.receivedAt, headers: { 'x-claude-code-session-id': r.headers['x-claude-code-session-id'] } })) });
  console.log(`timeline: ${join(out, 'timeline.json')}`);
  if (process.exitCode !== 1) console.log(analyseClaude({ phases, events: tl.events, hookEnvNames: envNames }));
  if (!args.keep && args.out === undefined) await dir[Symbol.asyncDispose]();
}
