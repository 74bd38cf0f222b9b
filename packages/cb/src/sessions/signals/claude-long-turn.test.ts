import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic, type AnthropicScenario, type FakeServer } from '@flotilla/testkit';
import { startReadyClaudeRun, waitFor, type TuiRun } from './testing.js';

/** The answer the manager's author held back: any false waiting_input shows inside it. */
const LONG_TURN_MS = 20_000;

/**
 * Issue 4, a false `waiting_input` from the session-file reconciliation while the model was still
 * answering (`working → waiting_input (session-file) → working → waiting_input` right after a send).
 * Claude's session file is written late and stamped early (statusUpdatedAt up to ~1.5 s before the
 * write under load; its first `idle` even before `startedAt`), so its `idle` can look newer than the
 * hook that started the turn. The file's `idle` must not end a turn the screen still shows running.
 */
describe('startStateTracker with the real Claude Code TUI during a long answer (slow)', () => {
  let api: FakeServer<AnthropicScenario>;
  let run: TuiRun;
  const main = () => api.requests.filter((r) => r.kind === 'main');

  beforeAll(async () => {
    api = await startFakeAnthropic([]);
    run = await startReadyClaudeRun(api.url, 'sig-long');
  });

  afterAll(async () => {
    await run[Symbol.asyncDispose]();
    await api.close();
  });

  /** Claude's own session file, as Claude wrote it last. */
  async function sessionFile(): Promise<{ path: string; value: Record<string, unknown> }> {
    const dir = join(run.home, '.claude', 'sessions');
    const name = (await readdir(dir)).find((f) => f.endsWith('.json'));
    if (!name) throw new Error('no session file');
    const path = join(dir, name);
    return { path, value: JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown> };
  }

  it('should stay working until the answer leaves, even when the session file says idle with a newer stamp meanwhile', async () => {
    api.setScenario([{ text: 'Slow answer.', delayMs: LONG_TURN_MS }]);
    const from = run.changes.length;
    const before = main().length;
    await run.send(`Take ${LONG_TURN_MS / 1000} seconds.`);
    const received = await waitFor(() => main()[before]?.receivedAt, 20_000, () => 'no main request');
    await waitFor(async () => (await sessionFile()).value.status === 'busy', 10_000, () => 'the session file never said busy');
    await run.expectState('working', 'working', from, () => null);
    // The level the author's tracker read: `idle`, stamped after the hook that started the turn.
    const { path, value } = await sessionFile();
    const now = Date.now();
    await writeFile(path, JSON.stringify({ ...value, status: 'idle', updatedAt: now, statusUpdatedAt: now }));
    await run.expectState('waiting_input', 'waiting_input', from, () => null, LONG_TURN_MS + 15_000);
    const turn = run.changes.slice(from).map((c) => ({ state: c.state, source: c.source, afterRequestMs: c.seenAt - received }));
    expect(turn.map((c) => c.state)).toEqual(['working', 'waiting_input']);
    expect(turn[1]!.afterRequestMs).toBeGreaterThan(LONG_TURN_MS - 500);
  }, 90_000);
});
