import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type AnthropicScenario, type FakeServer } from '@flotilla/testkit';
import { latencyReport, startReadyClaudeRun, waitFor, type TuiRun } from './testing.js';

/** Scripted model latency: long enough that `working` is a real, observable state. */
const TURN_DELAY_MS = 1500;

/**
 * The real Claude Code TUI in real tmux against the fake Anthropic API, launched by planLaunch and
 * tracked by startStateTracker. Ground truth is the fake's own request log.
 */
describe('startStateTracker with the real Claude Code TUI (slow)', () => {
  let api: FakeServer<AnthropicScenario>;
  let run: TuiRun;
  const main = () => api.requests.filter((r) => r.kind === 'main');
  /** The arrival time of the next main request after `count`, once it came. */
  const requestAfter = (count: number) => waitFor(() => main()[count]?.receivedAt, 20_000, () => `no main request #${count + 1}`);

  beforeAll(async () => {
    api = await startFakeAnthropic([]);
    run = await startReadyClaudeRun(api.url, 'sig-claude');
  });

  afterAll(async () => {
    console.log(latencyReport('Claude Code', run.latencies));
    await run[Symbol.asyncDispose]();
    await api.close();
  });

  it('should recognise every transition of a scripted run', async () => {
    await run.expectState('startup → idle', 'idle', 0, () => null, 30_000);
    const agentSessionId = await waitFor(() => run.tracker.current().agentSessionId, 10_000, () => 'no agent session id');
    expect(agentSessionId).toMatch(/^[0-9a-f-]{36}$/);

    for (let i = 0; i < 3; i++) {
      api.setScenario([{ text: `Plain answer ${i}.`, delayMs: TURN_DELAY_MS }]);
      const from = run.changes.length;
      const before = main().length;
      const text = `Say something plain,\tnumber ${i}.`;
      const sentAt = await run.send(text);
      // Async hooks don't hold the request back, so the transcript may confirm first; the hook's
      // prompt (tab expanded by Claude) confirms it too once it lands.
      expect((await run.tracker.waitForPrompt(text, sentAt, 10_000))?.confirmedBy).toMatch(/^(hook|transcript)$/);
      await run.expectState('working (prompt)', 'working', from, () => requestAfter(before));
      await run.expectState('waiting_input (turn done)', 'waiting_input', from, async () => (await requestAfter(before)) + TURN_DELAY_MS);
      expect(await run.tracker.waitForPrompt(text, sentAt, 5000)).toMatchObject({ confirmedBy: 'hook' });
      expect(await run.tracker.promptSeen(text, Date.now())).toBe(false);
    }

    // A Bash call needs permission (default mode): answered with Enter, then rejected with Escape.
    for (const answer of ['Enter', 'Enter', 'Escape'] as const) {
      api.setScenario([
        { text: 'I will run a command.', toolUses: [{ name: 'Bash', input: { command: `echo ${answer} > perm.txt`, description: 'Write perm.txt' } }] },
        { text: 'Ran the command.', delayMs: TURN_DELAY_MS },
      ]);
      const from = run.changes.length;
      const before = main().length;
      await run.send(`Run a command, answered with ${answer}.`);
      await run.expectState('waiting_permission', 'waiting_permission', from, () => requestAfter(before));
      // The session file or the screen may tell first (`permission prompt`); the hook names the call.
      const detail = `Bash: echo ${answer} > perm.txt`;
      await waitFor(() => run.changes.slice(from).find((c) => c.state === 'waiting_permission' && c.waitingFor === detail), 5000, () => JSON.stringify(run.changes.slice(from)));
      await waitFor(async () => /Do you want to proceed\?/.test(await run.screen()), 10_000, run.screen);
      const answeredFrom = run.changes.length;
      const keyAt = await run.key(answer);
      if (answer === 'Enter') {
        await run.expectState('permission granted → working', 'working', answeredFrom, () => keyAt);
        await run.expectState('waiting_input (turn done)', 'waiting_input', answeredFrom, async () => (await requestAfter(before + 1)) + TURN_DELAY_MS);
      } else {
        // No hook fires for a rejection: the session file's `idle` tells.
        const rejected = await run.expectState('permission rejected → waiting_input', 'waiting_input', answeredFrom, () => keyAt);
        expect(rejected.source).toBe('session-file');
      }
    }

    // Text sent while busy is queued: the transcript confirms it before its hook fires.
    api.setScenario([{ text: 'Long answer.', delayMs: 3000 }, { text: 'Queued answer.', delayMs: 300 }]);
    const beforeQueue = main().length;
    await run.send('Take your time.');
    await requestAfter(beforeQueue);
    const queuedAt = await run.send('This one waits in the queue.');
    const queued = await run.tracker.waitForPrompt('This one waits in the queue.', queuedAt, 2500);
    expect(queued?.confirmedBy).toBe('transcript');
    expect(await run.tracker.promptSeen('This one waits in the queue.', queuedAt)).toBe(true);
    await requestAfter(beforeQueue + 1);
    await run.expectState('waiting_input (turn done)', 'waiting_input', run.changes.length, async () => (await requestAfter(beforeQueue + 1)) + 300);
    expect(main().length).toBe(beforeQueue + 2);
  });

  it('should report rate_limited while Claude retries a 429, then waiting_input with the error', async () => {
    api.setScenario([{ status: 429, type: 'rate_limit_error', message: 'Fake rate limit', headers: { 'retry-after': '1' }, repeat: 3 }]);
    const from = run.changes.length;
    const before = main().length;
    await run.send('This one gets rate limited.');
    const limited = await run.expectState('rate_limited (retrying)', 'rate_limited', from, () => requestAfter(before));
    expect(limited.source).toBe('screen');
    expect(Date.parse(limited.waitingFor ?? '')).toBeGreaterThan(Date.now() - 5000);
    const gaveUp = await run.expectState('rate limit gave up → waiting_input', 'waiting_input', from, () => requestAfter(before + 2), 30_000);
    // The session file's `idle` and the StopFailure hook land within ~50 ms; the hook brings the error.
    const failed = await waitFor(() => run.changes.slice(from).find((c) => c.state === 'waiting_input' && c.error), 10_000, () => JSON.stringify(run.changes.slice(from)));
    expect(gaveUp.seenAt).toBeLessThanOrEqual(failed.seenAt);
    expect(failed.error).toMatch(/^rate_limit: API Error: Request rejected \(429\)/);
  });

  it('should report compacting during /compact, idle after /clear (new agent session) and exited after /exit', async () => {
    api.setScenario([{ text: '<summary>Plain answers, commands and a rate limit.</summary>', delayMs: TURN_DELAY_MS }]);
    const compactFrom = run.changes.length;
    const requestsBefore = api.requests.length;
    const compactAt = await run.command('/compact');
    await run.expectState('/compact → compacting', 'compacting', compactFrom, () => compactAt);
    const summaryAnswered = async () => {
      const summary = api.requests.slice(requestsBefore).find((r) => r.kind === 'main');
      return summary ? summary.receivedAt + TURN_DELAY_MS : null;
    };
    await run.expectState('compacted → waiting_input', 'waiting_input', compactFrom, summaryAnswered, 30_000);

    const previous = run.tracker.current().agentSessionId;
    const from = run.changes.length;
    const clearAt = await run.command('/clear');
    await run.expectState('/clear → idle', 'idle', from, () => clearAt);
    await waitFor(() => run.tracker.current().agentSessionId !== previous, 10_000, () => 'no new agent session id after /clear');
    expect(run.tracker.current().state).toBe('idle');

    const exitFrom = run.changes.length;
    const exitAt = await run.command('/exit');
    await run.expectState('/exit → exited', 'exited', exitFrom, () => exitAt);
  });
});
