import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  claudeBin,
  claudeEnv,
  codexBin,
  codexEnv,
  seedClaudeHome,
  seedCodexHome,
  startFakeAnthropic,
  startFakeOpenAI,
} from '@flotilla/testkit';
import { createLaunchPlanner } from './launch.js';
import { CLAUDE_TEST_KEY, startTuiRun, waitFor } from './testing.js';

const API_KEY = CLAUDE_TEST_KEY;

/**
 * First-run dialogs on a HOME that never saw this folder (and, for Claude, never approved the key):
 * the tracker answers them with keys, so the session reaches its prompt and takes a turn.
 */
describe('first-run dialogs answered by the state tracker (slow)', () => {
  it('should answer Claude Code trust and API-key dialogs, then run a turn', async () => {
    await using api = await startFakeAnthropic([{ text: 'Hello after the dialogs.' }]);
    const seen = new Set<string>();
    await using run = await startTuiRun({
      agent: 'claude',
      prefix: 'sig-first-claude',
      // Onboarding done, but no trusted folder and no approved key: both dialogs appear.
      seed: (home) => seedClaudeHome(home, { bypass: false }),
      plan: (dir, repo) =>
        createLaunchPlanner({ claudeCommand: claudeBin() })({ sessionId: 'fl-first', agent: 'claude', model: null, cwd: repo, dir, resumeAgentSessionId: null }),
      env: (home) => claudeEnv({ home, baseUrl: api.url, apiKey: API_KEY }),
    });
    const watchDialogs = setInterval(() => {
      void run.screen().then((screen) => {
        if (/Yes, I trust this folder/.test(screen)) seen.add('trust');
        if (/Do you want to use this API key\?/.test(screen)) seen.add('api-key');
      });
    }, 100);
    try {
      await run.expectState('startup → idle', 'idle', 0, () => null, 45_000);
      await waitFor(async () => /^❯/m.test(await run.screen()), 15_000, run.screen);
    } finally {
      clearInterval(watchDialogs);
    }
    expect(seen).toContain('trust');
    const config = JSON.parse(await readFile(join(run.home, '.claude.json'), 'utf8')) as { customApiKeyResponses?: { approved?: string[] } };
    expect(config.customApiKeyResponses?.approved).toContain(API_KEY.slice(-20));

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const from = run.changes.length;
    const sentAt = await run.send('Hello?');
    expect(await run.tracker.waitForPrompt('Hello?', sentAt, 10_000)).not.toBeNull();
    await run.expectState('turn done', 'waiting_input', from, () => null);
    expect(api.requests.filter((r) => r.kind === 'main')).toHaveLength(1);
  });

  it('should answer the Codex trust dialog, then run a turn', async () => {
    await using api = await startFakeOpenAI([{ text: 'Hello after the dialog.' }]);
    let trustShown = false;
    await using run = await startTuiRun({
      agent: 'codex',
      prefix: 'sig-first-codex',
      seed: (home) => seedCodexHome(home, { baseUrl: api.url }),
      plan: (dir, repo) =>
        createLaunchPlanner({ codexCommand: codexBin() })({ sessionId: 'fl-first', agent: 'codex', model: null, cwd: repo, dir, resumeAgentSessionId: null }),
      env: (home) => codexEnv({ home, apiKey: 'sk-openai-test' }),
    });
    const watchDialog = setInterval(() => {
      void run.screen().then((screen) => {
        if (/[Tt]rust/.test(screen) && /continue/.test(screen)) trustShown = true;
      });
    }, 100);
    try {
      await run.expectState('startup → idle', 'idle', 0, () => null, 45_000);
      // Codex draws its composer first and the trust dialog ~3 s later.
      await waitFor(() => trustShown, 20_000, run.screen);
      await waitFor(async () => /^› Ask Codex/m.test(await run.screen()), 15_000, run.screen);
    } finally {
      clearInterval(watchDialog);
    }

    await new Promise((resolve) => setTimeout(resolve, 1000));
    const from = run.changes.length;
    const sentAt = await run.send('Hello?');
    expect(await run.tracker.waitForPrompt('Hello?', sentAt, 10_000)).toMatchObject({ confirmedBy: 'hook' });
    await run.expectState('turn done', 'waiting_input', from, () => null);
    expect(await readFile(join(run.home, '.codex', 'config.toml'), 'utf8')).toMatch(/trust_level = "trusted"/);
  });
});
