import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codexBin, codexEnv, seedCodexHome, startFakeOpenAI, type FakeServer, type OpenAIScenario } from '@flotilla/testkit';
import { createLaunchPlanner } from './launch.js';
import { latencyReport, startTuiRun, waitFor, type TuiRun } from './testing.js';

/** Scripted model latency: long enough that `working` is a real, observable state. */
const TURN_DELAY_MS = 1500;

/**
 * The real Codex TUI in real tmux against the fake OpenAI Responses API, launched by planLaunch
 * and tracked by startStateTracker. Ground truth is the fake's own request log.
 */
describe('startStateTracker with the real Codex TUI (slow)', () => {
  let api: FakeServer<OpenAIScenario>;
  let run: TuiRun;
  const main = () => api.requests.filter((r) => r.kind === 'main');
  const requestAfter = (count: number) => waitFor(() => main()[count]?.receivedAt, 20_000, () => `no main request #${count + 1}`);

  beforeAll(async () => {
    api = await startFakeOpenAI([]);
    run = await startTuiRun({
      agent: 'codex',
      prefix: 'sig-codex',
      seed: async (home, repo) => {
        await seedCodexHome(home, { baseUrl: api.url, cwds: [repo], requestMaxRetries: 1, streamMaxRetries: 1 });
        // (a top-level key, so before the tables) A command asking for `require_escalated` then gets a real approval question.
        const config = join(home, '.codex', 'config.toml');
        await writeFile(config, `approval_policy = "on-request"\n${await readFile(config, 'utf8')}`);
      },
      plan: (dir, repo) =>
        createLaunchPlanner({ codexCommand: codexBin() })({ sessionId: 'fl-test-session', agent: 'codex', model: null, cwd: repo, dir, resumeAgentSessionId: null }),
      env: (home) => codexEnv({ home, apiKey: 'sk-openai-test' }),
    });
  });

  afterAll(async () => {
    console.log(latencyReport('Codex', run.latencies));
    await run[Symbol.asyncDispose]();
    await api.close();
  });

  it('should recognise every transition of a scripted run', async () => {
    await run.expectState('startup → idle', 'idle', 0, () => null, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));

    api.setScenario([{ text: 'Plain answer.', delayMs: TURN_DELAY_MS }]);
    let from = run.changes.length;
    let before = main().length;
    const text = 'Say something plain,\twith a tab.';
    const sentAt = await run.send(text);
    expect(await run.tracker.waitForPrompt(text, sentAt, 10_000)).toMatchObject({ confirmedBy: 'hook' });
    await run.expectState('working (prompt)', 'working', from, () => requestAfter(before));
    await run.expectState('waiting_input (turn done)', 'waiting_input', from, async () => (await requestAfter(before)) + TURN_DELAY_MS);
    expect(run.tracker.current().agentSessionId).toMatch(/^[0-9a-f-]{36}$/);

    for (const answer of ['Enter', 'Escape'] as const) {
      api.setScenario([
        { text: 'I will run a command.', toolUses: [{ name: 'exec_command', input: { cmd: `echo ${answer} > perm.txt`, sandbox_permissions: 'require_escalated', justification: 'May I write perm.txt?' } }] },
        { text: 'Ran the command.', delayMs: TURN_DELAY_MS },
      ]);
      from = run.changes.length;
      before = main().length;
      await run.send(`Run a command, answered with ${answer}.`);
      const asking = await run.expectState('waiting_permission', 'waiting_permission', from, () => requestAfter(before));
      expect(asking.waitingFor).toContain(`echo ${answer} > perm.txt`);
      await waitFor(async () => /Would you like to run the following command\?/.test(await run.screen()), 10_000, run.screen);
      const answeredFrom = run.changes.length;
      const keyAt = await run.key(answer);
      if (answer === 'Enter') {
        await run.expectState('permission granted → working', 'working', answeredFrom, () => keyAt);
        await run.expectState('waiting_input (turn done)', 'waiting_input', answeredFrom, async () => (await requestAfter(before + 1)) + TURN_DELAY_MS);
      } else {
        await run.expectState('permission rejected → waiting_input', 'waiting_input', answeredFrom, () => keyAt);
      }
    }

    // Text sent while Codex works is queued and shown on screen only: the screen confirms it.
    api.setScenario([{ text: 'Long answer.', delayMs: 4000 }, { text: 'Queued answer.', delayMs: 300 }]);
    before = main().length;
    await run.send('Take your time.');
    await requestAfter(before);
    const queuedAt = await run.send('This one waits in the queue.');
    expect(await run.tracker.waitForPrompt('This one waits in the queue.', queuedAt, 3000)).toMatchObject({ confirmedBy: 'screen' });
    expect(await run.tracker.promptSeen('This one waits in the queue.', queuedAt)).toBe(true);
    await requestAfter(before + 1);
    await run.expectState('waiting_input (turn done)', 'waiting_input', run.changes.length, async () => (await requestAfter(before + 1)) + 300);
    expect(main().length).toBe(before + 2);

    // 429: request_max_retries=1 gives two failed requests, then the turn fails.
    api.setScenario([{ status: 429, type: 'rate_limit_exceeded', message: 'Fake rate limit', headers: { 'retry-after': '1' }, repeat: 2 }]);
    from = run.changes.length;
    before = main().length;
    await run.send('This one gets rate limited.');
    await run.expectState('rate_limited (429)', 'rate_limited', from, () => requestAfter(before));
    await run.expectState('rate limit gave up → waiting_input', 'waiting_input', from, () => requestAfter(before + 1), 30_000);

    // No hook fires for /clear: the screen (banner back, no conversation) tells.
    from = run.changes.length;
    const clearAt = await run.command('/clear');
    await run.expectState('/clear → idle', 'idle', from, () => clearAt);

    from = run.changes.length;
    const quitAt = await run.command('/quit');
    await run.expectState('/quit → exited', 'exited', from, () => quitAt);
  });
});
