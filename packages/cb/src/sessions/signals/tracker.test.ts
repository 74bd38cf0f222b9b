import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTmux, type Tmux } from '@flotilla/kit/tmux';
import { makeTempDir, type TempDir } from '@flotilla/testkit';
import type { StateChange } from '../contract.js';
import { startStateTracker } from './tracker.js';
import { waitFor } from './testing.js';

const hookLine = (at: number, event: string, payload: unknown) => `${JSON.stringify({ at, event, payload })}\n`;

/** The tracker on a real tmux pane, with hook lines written by the test instead of an agent. */
describe('startStateTracker (real tmux)', () => {
  let dir: TempDir;
  let tmux: Tmux;

  beforeEach(async () => {
    dir = await makeTempDir('sig-tracker-');
    tmux = createTmux({ socketName: `sig-tracker-${process.pid}` });
  });

  afterEach(async () => {
    await tmux.killServer().catch(() => false);
    await dir[Symbol.asyncDispose]();
  });

  it('should fold the hook log written while the daemon was down into one change, then follow new hooks', async () => {
    await tmux.newSession({ name: 'claude-like', cwd: dir.path, command: ['sleep', '60'] });
    const t0 = Date.now() - 60_000;
    await writeFile(
      join(dir.path, 'hooks.jsonl'),
      hookLine(t0, 'SessionStart', { source: 'startup', session_id: 'a-1' }) +
        hookLine(t0 + 1000, 'UserPromptSubmit', { prompt: 'before the restart', session_id: 'a-1' }) +
        hookLine(t0 + 2000, 'PreToolUse', { tool_name: 'Bash', tool_input: { command: 'make' }, session_id: 'a-1' }) +
        hookLine(t0 + 2100, 'PermissionRequest', { tool_name: 'Bash', tool_input: { command: 'make' }, session_id: 'a-1' }),
    );
    const initial: StateChange = { state: 'working', source: 'hook', at: new Date(t0 + 1000).toISOString(), waitingFor: null, agentSessionId: 'a-1' };
    const changes: StateChange[] = [];
    const tracker = startStateTracker({ sessionId: 's1', agent: 'claude', cwd: dir.path, dir: dir.path, tmux, tmuxSession: 'claude-like', home: dir.path, initial, onChange: (c) => changes.push(c) });
    try {
      await waitFor(() => changes.length > 0, 5000, () => JSON.stringify(changes));
      expect(changes).toEqual([{ state: 'waiting_permission', source: 'hook', at: new Date(t0 + 2100).toISOString(), waitingFor: 'Bash: make', agentSessionId: 'a-1' }]);
      expect(await tracker.promptSeen('before the restart', t0)).toBe(true);
      expect(await tracker.promptSeen('before the restart', t0 + 1500)).toBe(false);

      // A parallel Read finishing leaves the question open; the asking Bash call finishing ends it.
      const read = { tool_name: 'Read', tool_input: { file_path: '/repo/a.ts' }, session_id: 'a-1' };
      const bash = { tool_name: 'Bash', tool_input: { command: 'make' }, session_id: 'a-1' };
      await appendFile(join(dir.path, 'hooks.jsonl'), hookLine(Date.now(), 'PostToolUse', read) + hookLine(Date.now(), 'PostToolUse', bash) + '{"torn": \n' + hookLine(Date.now(), 'Stop', { session_id: 'a-1' }));
      await waitFor(() => changes.at(-1)?.state === 'waiting_input', 5000, () => JSON.stringify(changes));
      expect(changes.map((c) => c.state)).toEqual(['waiting_permission', 'working', 'waiting_input']);
    } finally {
      tracker.stop();
    }
  });

  it('should keep a permission question the screen showed first when the late PreToolUse hook of that call lands', async () => {
    // A Claude-like pane showing Claude's permission dialog; hooks written by the test.
    const dialog = 'printf "Bash command\\n  make\\nDo you want to proceed?\\n❯ 1. Yes\\n"; sleep 60';
    await tmux.newSession({ name: 'asking', cwd: dir.path, command: ['sh', '-c', dialog] });
    const t0 = Date.now() - 10_000;
    await writeFile(join(dir.path, 'hooks.jsonl'), hookLine(t0, 'UserPromptSubmit', { prompt: 'make it', session_id: 'a-2' }));
    const initial: StateChange = { state: 'working', source: 'hook', at: new Date(t0).toISOString(), waitingFor: null, agentSessionId: 'a-2' };
    const changes: StateChange[] = [];
    const tracker = startStateTracker({ sessionId: 's2', agent: 'claude', cwd: dir.path, dir: dir.path, tmux, tmuxSession: 'asking', home: dir.path, initial, onChange: (c) => changes.push(c) });
    try {
      await waitFor(() => changes.find((c) => c.state === 'waiting_permission'), 5000, () => JSON.stringify(changes));
      // The async hooks' own clock is their process start: later than the screen read on a loaded machine.
      const bash = { tool_name: 'Bash', tool_input: { command: 'make' }, session_id: 'a-2' };
      await appendFile(join(dir.path, 'hooks.jsonl'), hookLine(Date.now(), 'PreToolUse', bash));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await appendFile(join(dir.path, 'hooks.jsonl'), hookLine(Date.now(), 'PermissionRequest', bash));
      await waitFor(() => changes.at(-1)?.waitingFor === 'Bash: make', 5000, () => JSON.stringify(changes));
      expect(changes.map((c) => [c.state, c.source, c.waitingFor])).toEqual([
        ['waiting_permission', 'screen', 'permission prompt'],
        ['waiting_permission', 'hook', 'Bash: make'],
      ]);
    } finally {
      tracker.stop();
    }
  });

  it('should drop a late Codex background hook of a turn that has already ended', async () => {
    await tmux.newSession({ name: 'codex-like', cwd: dir.path, command: ['sleep', '60'] });
    const hooks = join(dir.path, 'hooks.jsonl');
    const turn = (turn_id: string) => ({ session_id: 'c-1', turn_id });
    await writeFile(hooks, '');
    const changes: StateChange[] = [];
    const tracker = startStateTracker({ sessionId: 's3', agent: 'codex', cwd: dir.path, dir: dir.path, tmux, tmuxSession: 'codex-like', home: dir.path, initial: null, onChange: (c) => changes.push(c) });
    try {
      const t0 = Date.now();
      await appendFile(hooks, hookLine(t0, 'UserPromptSubmit', { ...turn('t-1'), prompt: 'run ls' }) + hookLine(t0 + 200, 'Stop', turn('t-1')));
      await waitFor(() => changes.at(-1)?.state === 'waiting_input', 5000, () => JSON.stringify(changes));
      // The async PreToolUse and a failed PostModelRequest of t-1 land after its Stop (with a later clock).
      const bash = { ...turn('t-1'), tool_name: 'Bash', tool_input: { command: 'ls' } };
      await appendFile(hooks, hookLine(t0 + 300, 'PreToolUse', bash) + hookLine(t0 + 350, 'PostModelRequest', { ...turn('t-1'), status: 'failed', error: '429 Too Many Requests' }));
      // The next turn's hooks still count.
      await appendFile(hooks, hookLine(t0 + 400, 'UserPromptSubmit', { ...turn('t-2'), prompt: 'again' }) + hookLine(t0 + 500, 'PreToolUse', { ...bash, turn_id: 't-2' }));
      await waitFor(() => changes.at(-1)?.state === 'working' && changes.length >= 3, 5000, () => JSON.stringify(changes));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(changes.map((c) => c.state)).toEqual(['working', 'waiting_input', 'working']);
    } finally {
      tracker.stop();
    }
  });

  it('should track a custom agent from its screen, confirm prompts on screen, and see its exit', async () => {
    // A line-echoing "agent": answers each line after a second.
    const script = 'while IFS= read -r line; do sleep 1; echo "answer to: $line"; done';
    await tmux.newSession({ name: 'custom', cwd: dir.path, command: ['sh', '-c', script] });
    const changes: (StateChange & { seenAt: number })[] = [];
    const tracker = startStateTracker({ sessionId: 's2', agent: 'echoer', cwd: dir.path, dir: dir.path, tmux, tmuxSession: 'custom', initial: null, onChange: (c) => changes.push({ ...c, seenAt: Date.now() }) });
    try {
      await waitFor(() => changes.some((c) => c.state === 'idle'), 5000, () => JSON.stringify(changes));
      const sentAt = Date.now();
      await tmux.pasteText('custom', 'hello custom', { enter: true, enterDelayMs: 100 });
      expect(await tracker.waitForPrompt('hello custom', sentAt, 3000)).toMatchObject({ confirmedBy: 'screen' });
      await waitFor(() => changes.some((c) => c.state === 'working'), 3000, () => JSON.stringify(changes));
      await waitFor(() => changes.at(-1)?.state === 'waiting_input', 8000, () => JSON.stringify(changes));
      expect(changes.map((c) => [c.state, c.source])).toEqual([['idle', 'screen'], ['working', 'screen'], ['waiting_input', 'screen']]);

      await tmux.sendKey('custom', 'C-d');
      await waitFor(() => changes.at(-1)?.state === 'exited', 5000, () => JSON.stringify(changes));
      expect(changes.at(-1)?.source).toBe('process');
    } finally {
      tracker.stop();
    }
  });
});
