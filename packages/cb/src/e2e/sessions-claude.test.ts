import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlotillaEvent, Session, SessionState } from '@flotilla/protocol';
import { startHarness, waitFor, type Harness } from './harness.js';

/** Scripted model latency: long enough that `working` is a real, observable state. */
const TURN_DELAY_MS = 1500;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h[Symbol.asyncDispose]();
});

async function stateIs(name: string, state: SessionState, timeoutMs = 30_000): Promise<Session> {
  let last: Session | undefined;
  await waitFor(async () => (last = await h.client.getSession(name)).state === state, timeoutMs, () => `still ${last?.state} (${last?.source})`);
  return last!;
}

/** Every `session.state` event so far, as [previous, state, source]. */
async function stateEvents(sessionId: string): Promise<[string, string, string][]> {
  const events: FlotillaEvent[] = [];
  for (let after = 0; ; ) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 1_000);
    const before = events.length;
    try {
      for await (const event of h.client.events({ lastEventId: after, signal: controller.signal })) {
        events.push(event);
        after = event.id;
      }
    } catch {
      // the abort ends the stream once it has caught up
    } finally {
      clearTimeout(timer);
    }
    if (events.length === before) break;
  }
  return events.flatMap((e) => (e.type === 'session.state' && e.session.id === sessionId ? [[e.previous, e.session.state, e.session.source] as [string, string, string]] : []));
}

describe('a session with the real Claude Code TUI, through the daemon (slow)', () => {
  it('should start idle, take "hi" as a turn confirmed by its hook, work, then wait for input', async () => {
    const session = await h.client.createSession({ name: 'claude-one', agent: 'claude', cwd: h.repo });
    expect(session).toMatchObject({ agent: 'claude', model: 'sonnet', kind: 'agent' });
    const idle = await stateIs('claude-one', 'idle');
    expect(['hook', 'session-file', 'screen']).toContain(idle.source);
    // SessionStart fires a moment before the input box takes keys (docs/session-signals.md).
    await waitFor(async () => (await h.client.peek('claude-one', { lines: 50 })).lines.some((l) => /^\s*❯/.test(l)), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    h.anthropic.setScenario([{ text: 'Hello from the fake model.', delayMs: TURN_DELAY_MS }]);
    const receipt = await h.client.send('claude-one', { text: 'hi' });
    expect(receipt).toMatchObject({ delivered: true, confirmedBy: 'hook', attempts: 1, error: null });
    const done = await stateIs('claude-one', 'waiting_input');
    expect(done.agentSessionId).toMatch(/^[0-9a-f-]{36}$/);

    const main = h.anthropic.requests.filter((r) => r.kind === 'main');
    expect(main.length).toBe(1);
    expect(JSON.stringify(main[0]?.body)).toContain('hi');
    const changes = await stateEvents(session.id);
    const states = changes.map(([, state]) => state);
    expect(states.indexOf('working')).toBeGreaterThan(states.indexOf('idle'));
    expect(states.lastIndexOf('waiting_input')).toBeGreaterThan(states.indexOf('working'));
    expect((await h.client.peek('claude-one')).lines.join('\n')).toContain('Hello from the fake model.');

    const log = (await h.client.sessionLog('claude-one')).map((e) => e.message);
    expect(log.some((m) => /^sent 2 characters: confirmed by hook/.test(m))).toBe(true);
  });

  it('should stop a working session with its own exit, not by killing it', async () => {
    h.anthropic.setScenario([{ text: 'A long answer.', delayMs: 20_000 }]);
    expect(await h.client.send('claude-one', { text: 'take your time' })).toMatchObject({ delivered: true, confirmedBy: expect.stringMatching(/^(hook|transcript)$/) });
    await stateIs('claude-one', 'working');
    const stopped = await h.client.stopSession('claude-one');
    expect(stopped.state).toBe('exited');
    expect((await h.client.sessionLog('claude-one')).at(-1)?.message).toMatch(/→ exited \((cb|hook|process)\)/);
    expect((await h.client.sessionLog('claude-one')).some((e) => /killed after/.test(e.message))).toBe(false);
  });
});
