import { describe, expect, it } from 'vitest';
import type { SessionState } from '@flotilla/protocol';
import { reconcileWithSessionFile, type ClaudeSessionLevel } from './claude-session-file.js';
import { hookSignal, parseHookLine } from './hook-events.js';
import { createLaunchPlanner, interactiveArgv } from './launch.js';
import { codexQueuedOnScreen, normalizePrompt, promptFromTranscriptLine, screenShowsPrompt } from './receipts.js';
import { firstRunDialog } from './screen.js';
import { createCustomScreenJudge, knownAgentScreenVerdict } from './screen-watch.js';

const request = { sessionId: '01JSESSION', model: null, cwd: '/repo', dir: '/fl/sessions/01JSESSION', resumeAgentSessionId: null };
const plan = createLaunchPlanner({ nodePath: '/usr/bin/node', recorderScript: '/cb/dist/sessions/signals/record-hook.cjs', customAgents: { aider: { argv: ['aider', '--yes', '--message', '{prompt}'] } } });

describe('planLaunch', () => {
  it('should start Claude with a generated settings file in the session dir and the default model', () => {
    const launch = plan({ ...request, agent: 'claude' });
    expect(launch.argv).toEqual(['claude', '--settings', '/fl/sessions/01JSESSION/claude-settings.json', '--model', 'sonnet']);
    expect(launch.env).toEqual({ FLOTILLA_SESSION_ID: '01JSESSION' });
    const [file] = launch.files;
    expect(file?.path).toBe('/fl/sessions/01JSESSION/claude-settings.json');
    const settings = JSON.parse(file?.content ?? '{}') as { hooks: Record<string, { hooks: { command: string }[] }[]> };
    expect(Object.keys(settings.hooks)).toEqual(['UserPromptSubmit', 'Stop', 'StopFailure', 'PermissionRequest', 'PreToolUse', 'PostToolUse', 'PreCompact', 'PostCompact', 'SessionStart', 'SessionEnd', 'Notification']);
    expect(settings.hooks.Stop?.[0]?.hooks[0]?.command).toBe('/usr/bin/node /cb/dist/sessions/signals/record-hook.cjs /fl/sessions/01JSESSION Stop');
  });

  it('should resume Claude with the given model', () => {
    expect(plan({ ...request, agent: 'claude', model: 'opus', resumeAgentSessionId: 'abc' }).argv.slice(3)).toEqual(['--model', 'opus', '--resume', 'abc']);
  });

  it('should start Codex with hook overrides, hook trust bypassed, no daemon, and resume by id', () => {
    const launch = plan({ ...request, agent: 'codex', model: 'gpt-5', resumeAgentSessionId: 'thread-1' });
    expect(launch.argv.slice(0, 6)).toEqual(['codex', 'resume', '--no-daemon', '--dangerously-bypass-hook-trust', '-m', 'gpt-5']);
    expect(launch.argv.at(-1)).toBe('thread-1');
    expect(launch.argv).toContain('hooks.Stop=[{hooks=[{type="command",command="/usr/bin/node /cb/dist/sessions/signals/record-hook.cjs /fl/sessions/01JSESSION Stop"}]}]');
    expect(launch.files).toEqual([]);
  });

  it('should run only the Codex hooks that never end a turn in the background', () => {
    const launch = plan({ ...request, agent: 'codex' });
    expect(launch.argv).toContain('hooks.PostModelRequest=[{hooks=[{type="command",command="/usr/bin/node /cb/dist/sessions/signals/record-hook.cjs /fl/sessions/01JSESSION PostModelRequest",async=true}]}]');
    expect(launch.argv.filter((arg) => arg.includes('async=true')).map((arg) => arg.split('=')[0])).toEqual(['hooks.PreToolUse', 'hooks.PostModelRequest']);
  });

  it('should run a custom agent bare, without its prompt placeholder', () => {
    expect(plan({ ...request, agent: 'aider' }).argv).toEqual(['aider', '--yes']);
    expect(interactiveArgv(['tool', '{prompt}'])).toEqual(['tool']);
  });
});

const record = (event: string, payload: unknown) => ({ at: 1000, event, payload });

describe('hookSignal', () => {
  it.each<[string, unknown, SessionState, SessionState | null]>([
    ['UserPromptSubmit', { prompt: 'hi' }, 'waiting_input', 'working'],
    ['Stop', {}, 'working', 'waiting_input'],
    ['PreCompact', { trigger: 'manual' }, 'waiting_input', 'compacting'],
    ['PostCompact', { trigger: 'manual' }, 'compacting', 'waiting_input'],
    ['PostCompact', { trigger: 'auto' }, 'compacting', 'working'],
    ['SessionStart', { source: 'clear', session_id: 'new' }, 'waiting_input', 'idle'],
    ['SessionStart', { source: 'startup' }, 'unknown', 'idle'],
    ['SessionStart', { source: 'startup' }, 'working', null],
    ['SessionEnd', { reason: 'clear' }, 'waiting_input', 'idle'],
    ['SessionEnd', { reason: 'prompt_input_exit' }, 'waiting_input', 'exited'],
    ['Notification', { notification_type: 'permission_prompt' }, 'working', 'waiting_permission'],
    ['SubagentStop', {}, 'working', null],
  ])('should map Claude %s %j in %s to %s', (event, payload, previous, expected) => {
    expect(hookSignal('claude', record(event, payload), previous).state).toBe(expected);
  });

  it('should say what a permission question asks and why a turn failed', () => {
    expect(hookSignal('claude', record('PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'rm -rf build', description: 'Clean' } }), 'working')).toMatchObject({ state: 'waiting_permission', waitingFor: 'Bash: rm -rf build' });
    expect(hookSignal('claude', record('StopFailure', { error: 'rate_limit', last_assistant_message: 'API Error: Request rejected (429)' }), 'working')).toMatchObject({ state: 'waiting_input', error: 'rate_limit: API Error: Request rejected (429)' });
  });

  it('should map Codex failed 429 model requests to rate_limited and interrupts to waiting_input', () => {
    const failed = record('PostModelRequest', { status: 'failed', error: 'exceeded retry limit, last status: 429 Too Many Requests' });
    expect(hookSignal('codex', failed, 'working').state).toBe('rate_limited');
    expect(hookSignal('codex', record('PostModelRequest', { status: 'completed' }), 'rate_limited').state).toBe('working');
    expect(hookSignal('codex', record('Interrupt', {}), 'waiting_permission').state).toBe('waiting_input');
    expect(hookSignal('codex', record('SessionStart', { session_id: 't-1' }), 'working')).toMatchObject({ state: null, agentSessionId: 't-1' });
  });

  it('should ignore payloads that do not fit and lines that are not records', () => {
    expect(hookSignal('claude', record('Stop', 'a string'), 'working').state).toBeNull();
    expect(hookSignal('claude', record('PermissionRequest', { tool_name: 42 }), 'working').state).toBeNull();
    expect(parseHookLine('{"at":"x"}')).toBeNull();
    expect(parseHookLine('not json')).toBeNull();
    expect(parseHookLine('{"at":1,"event":"Stop","payload":null}')).toEqual({ at: 1, event: 'Stop', payload: null });
  });
});

describe('reconcileWithSessionFile', () => {
  const level = (status: ClaudeSessionLevel['status'], at: number): ClaudeSessionLevel => ({ pid: 1, sessionId: 's', status, waitingFor: status === 'waiting' ? 'permission prompt' : null, at });
  it('should catch a permission rejected with Escape (no hook fires) and a lost Stop', () => {
    expect(reconcileWithSessionFile(level('idle', 2000), { state: 'waiting_permission', atMs: 1000 })).toEqual({ state: 'waiting_input', waitingFor: null });
    expect(reconcileWithSessionFile(level('idle', 2000), { state: 'working', atMs: 1000 })).toEqual({ state: 'waiting_input', waitingFor: null });
  });
  it('should ignore news older than the current signal, busy after /clear, and busy while rate limited', () => {
    expect(reconcileWithSessionFile(level('idle', 500), { state: 'working', atMs: 1000 })).toBeNull();
    expect(reconcileWithSessionFile(level('busy', 2000), { state: 'idle', atMs: 1000 })).toBeNull();
    expect(reconcileWithSessionFile(level('busy', 2000), { state: 'rate_limited', atMs: 1000 })).toBeNull();
  });
});

describe('receipts', () => {
  it('should compare prompts as Claude records them (tabs as 4 spaces, trimmed)', () => {
    expect(normalizePrompt('  a\tb\r\nc \n')).toBe('a    b\nc');
  });
  it('should read prompts from Claude user and queue-operation lines and Codex user_message events', () => {
    const timestamp = '2026-11-25T12:00:00.000Z';
    expect(promptFromTranscriptLine({ type: 'user', timestamp, message: { role: 'user', content: 'hi\tthere' } })).toEqual({ text: 'hi    there', at: Date.parse(timestamp) });
    expect(promptFromTranscriptLine({ type: 'user', timestamp, message: { content: [{ type: 'tool_result', content: 'x' }] } })).toBeNull();
    expect(promptFromTranscriptLine({ type: 'queue-operation', operation: 'enqueue', timestamp, content: 'later' })?.text).toBe('later');
    expect(promptFromTranscriptLine({ type: 'event_msg', timestamp, payload: { type: 'user_message', message: 'codex' } })?.text).toBe('codex');
  });
  it('should find a prompt Codex queued while working', () => {
    const screen = '◦ Working (2s • esc to interrupt)\n• Messages to be submitted after next tool call (press esc to interrupt and send immediately)\n  ↳ second\tone\n› Ask Codex';
    expect(codexQueuedOnScreen(screen, 'second\tone\nmore')).toBe(true);
    expect(codexQueuedOnScreen(screen, 'third')).toBe(false);
    expect(codexQueuedOnScreen('  ↳ second', 'second')).toBe(false);
  });
  it('should find a prompt on screen by its last line', () => {
    expect(screenShowsPrompt('> first\n> second line\n', 'first\nsecond line')).toBe(true);
    expect(screenShowsPrompt('nothing here', 'first')).toBe(false);
  });
});

describe('screen', () => {
  it('should answer first-run dialogs with keys', () => {
    expect(firstRunDialog('claude', '❯ 1. Yes, I trust this folder\n  2. No, exit')).toEqual({ name: 'claude-trust-folder', keys: ['Enter'] });
    expect(firstRunDialog('claude', 'Do you want to use this API key?\n  1. Yes\n❯ 2. No (recommended)')?.keys).toEqual(['Up', 'Enter']);
    expect(firstRunDialog('codex', 'Trust this folder?\n› 1. Trust and continue\n  2. Back')?.name).toBe('codex-trust-folder');
    expect(firstRunDialog('claude', '❯ hello')).toBeNull();
  });
  it('should see Claude retrying a rate limit and Codex cleared', () => {
    const ctx = { agent: 'claude', state: 'working' as const, agentUp: true, now: 10_000, retrySeenAt: 0 };
    expect(knownAgentScreenVerdict(ctx, '✻ API error · Retrying in 5s · attempt 2/10')).toEqual({ state: 'rate_limited', waitingFor: new Date(15_000).toISOString() });
    const codexCtx = { agent: 'codex', state: 'waiting_input' as const, agentUp: true, now: 0, retrySeenAt: 0 };
    expect(knownAgentScreenVerdict(codexCtx, '  >_ OpenAI Codex (v0.169.0)\n› Ask Codex to do anything')).toEqual({ state: 'idle', waitingFor: null });
    expect(knownAgentScreenVerdict(codexCtx, '  >_ OpenAI Codex (v0.169.0)\n› hi\n• Answer.\n› Ask Codex to do anything')).toBeNull();
  });
  it('should end a compaction Claude refused once the prompt is back and no spinner shows', () => {
    const refused = '❯ /compact\n  ⎿  Not enough messages to compact.\n────────\n❯ \n────────\n  ? for shortcuts';
    const compacting = { agent: 'claude', state: 'compacting' as const, agentUp: true, retrySeenAt: 0, stateAtMs: 10_000 };
    expect(knownAgentScreenVerdict({ ...compacting, now: 11_000 }, refused)).toBeNull();
    expect(knownAgentScreenVerdict({ ...compacting, now: 13_000 }, refused)).toEqual({ state: 'waiting_input', waitingFor: null });
    const running = '✻ Compacting conversation… (esc to interrupt)\n────────\n❯ \n────────';
    expect(knownAgentScreenVerdict({ ...compacting, now: 20_000 }, running)).toBeNull();
  });
  it('should judge a custom agent by its screen moving and resting', () => {
    const judge = createCustomScreenJudge();
    expect(judge('$ ', 'unknown', 0)).toEqual({ state: 'idle', waitingFor: null });
    expect(judge('$ run\nout', 'idle', 500)).toEqual({ state: 'working', waitingFor: null });
    expect(judge('$ run\nout', 'working', 1000)).toBeNull();
    expect(judge('$ run\nout', 'working', 2600)).toEqual({ state: 'waiting_input', waitingFor: null });
  });
});
