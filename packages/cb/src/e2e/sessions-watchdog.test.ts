import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@flotilla/protocol';
import { findClaudeTranscript } from '../sessions/signals/claude-session-file.js';
import { startHarness, waitFor, type Harness } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ config: { watchdog: { tickMs: 200, contextCheckMs: 200, compactAtPercent: 70 } } });
});
afterAll(async () => {
  await h[Symbol.asyncDispose]();
});

async function until(name: string, ok: (s: Session) => boolean, what: string, timeoutMs = 45_000): Promise<Session> {
  let last: Session | undefined;
  await waitFor(async () => ok((last = await h.client.getSession(name))), timeoutMs, () => `${name}: ${what}; still ${last?.state} (${last?.source}), restarts ${last?.restarts}`);
  return last!;
}

async function readyForInput(name: string): Promise<void> {
  await waitFor(async () => (await h.client.getSession(name)).state !== 'unknown', 45_000).catch(async (error: unknown) => {
    throw new Error(`${(error as Error).message}\n${(await h.client.sessionLog(name)).map((e) => `${e.at} ${e.kind} ${e.message}`).join('\n')}`);
  });
  await waitFor(async () => (await h.client.peek(name, { lines: 50 })).lines.some((l) => /^\s*❯/.test(l)), 45_000);
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

async function watchdogLog(name: string): Promise<string[]> {
  return (await h.client.sessionLog(name)).filter((e) => e.kind === 'watchdog').map((e) => e.message);
}

describe('the watchdog with the real Claude Code TUI, through the daemon (slow)', () => {
  it('should restart a killed Claude and resume its conversation', async () => {
    await h.client.createSession({ name: 'phoenix', agent: 'claude', cwd: h.repo });
    await until('phoenix', (s) => s.state === 'idle', 'idle');
    await readyForInput('phoenix');
    h.anthropic.setScenario([{ text: 'Noted: PELICAN.' }]);
    await h.client.send('phoenix', { text: 'remember the word PELICAN' });
    const before = await until('phoenix', (s) => s.state === 'waiting_input' && s.agentSessionId !== null, 'the first turn done');

    // Claude writes its transcript a moment after the turn; killed before that, it has nothing to resume.
    await waitFor(async () => {
      const transcript = await findClaudeTranscript(h.env.HOME ?? '', before.agentSessionId ?? '');
      return transcript !== null && readFileSync(transcript, 'utf8').includes('Noted: PELICAN.');
    }, 15_000);
    if (before.pid === null) throw new Error('phoenix has no agent pid'); // kill(0) would kill the test runner's process group
    process.kill(before.pid, 'SIGKILL');
    const after = await until('phoenix', (s) => s.restarts === 1 && s.pid !== null && s.pid !== before.pid, 'restarted');
    expect(after.state).not.toBe('exited');
    expect((await watchdogLog('phoenix')).join('\n')).toContain(`restarted the agent (restart 1), resuming conversation ${before.agentSessionId}: killed by signal 9`);
    expect((await watchdogLog('phoenix')).filter((m) => m.startsWith('restarted'))).toHaveLength(1);

    await readyForInput('phoenix');
    h.anthropic.setScenario([{ text: 'The word was PELICAN.' }]);
    const sentAt = h.anthropic.requests.length;
    expect(await h.client.send('phoenix', { text: 'which word?' })).toMatchObject({ delivered: true });
    await until('phoenix', (s) => s.state === 'waiting_input', 'the resumed turn done');
    const resumed = h.anthropic.requests.slice(sentAt).filter((r) => r.kind === 'main');
    expect(resumed.length).toBeGreaterThan(0);
    // The resumed conversation carries the turn from before the crash.
    const userTexts = JSON.stringify((resumed[0]?.body as { messages?: { role: string; content: unknown }[] }).messages?.filter((m) => m.role === 'user'));
    expect(userTexts).toContain('remember the word PELICAN');
    await h.client.stopSession('phoenix');
  }, 150_000);

  it('should compact a session whose context is nearly full, once', async () => {
    await h.client.createSession({ name: 'fullctx', agent: 'claude', cwd: h.repo });
    await until('fullctx', (s) => s.state === 'idle', 'idle');
    await readyForInput('fullctx');
    // Claude compacts only a conversation of a few turns ("Not enough messages to compact." otherwise).
    h.anthropic.setScenario([{ text: 'First answer.' }, { text: 'Second answer.' }, { text: 'A very long context.', usage: { input_tokens: 150_000, output_tokens: 2_000 } }]);
    for (const text of ['first question', 'second question']) {
      await h.client.send('fullctx', { text });
      await until('fullctx', (s) => s.state === 'waiting_input', `the turn "${text}" done`);
    }
    await h.client.send('fullctx', { text: 'fill the context' });
    let seen: string[] = [];
    await waitFor(
      async () => (seen = (await h.client.sessionLog('fullctx')).map((e) => `${e.kind} ${e.message}`)).some((m) => m.startsWith('watchdog context 76% full (152000 of 200000 tokens): sent /compact')),
      40_000,
      () => `no compaction in the log:\n${seen.join('\n')}`,
    );
    // Back to waiting once the compaction is over: read from the state log, not by time — against
    // the fake model the compaction can end before the watchdog's own log line is written.
    const compactionOver = async (): Promise<boolean> =>
      (await h.client.sessionLog('fullctx')).some((e) => e.kind === 'state' && e.message.startsWith('compacting → waiting_input'));
    await waitFor(compactionOver, 60_000, () => 'back to waiting after the compaction').catch(async (error: unknown) => {
      const screen = (await h.client.peek('fullctx', { lines: 40 })).lines.filter((l) => l.trim()).join('\n');
      const requests = h.anthropic.requests.map((r) => `${r.kind}:${String(JSON.stringify(r.body ?? null)).slice(0, 80)}`).join('\n');
      throw new Error(`${(error as Error).message}\n${(await h.client.sessionLog('fullctx')).map((e) => `${e.at} ${e.kind} ${e.message}`).join('\n')}\n${screen}\n${requests}`);
    });
    const states = (await h.client.sessionLog('fullctx')).filter((e) => e.kind === 'state').map((e) => e.message);
    expect(states.some((m) => m.includes('→ compacting'))).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await watchdogLog('fullctx')).filter((m) => m.startsWith('context'))).toHaveLength(1);
    await h.client.stopSession('fullctx');
  }, 150_000);
});
