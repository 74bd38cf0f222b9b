import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER, startBotWorld, until, type BotWorld } from '../test-support/e2e-world.test-support.js';
import type { SentEntry } from '../test-support/fake-bot-api.test-support.js';

const SESSION = 'pair';
/** Real Claude Code runs take a few seconds each on a quiet machine, many times that on a loaded one. */
const SLOW_TEST_MS = 180_000;

let w: BotWorld;
beforeAll(async () => {
  w = await startBotWorld();
  await w.client.createSession({ name: SESSION, agent: 'claude', cwd: w.repo });
}, 150_000);
afterAll(async () => {
  await w?.client.stopSession(SESSION).catch(() => undefined);
  await w?.[Symbol.asyncDispose]();
});

async function press(entry: SentEntry, label: string): Promise<string | undefined> {
  const button = entry.buttons.find((b) => b.text === label)!;
  const id = w.api.pushCallback({ from: OWNER, message_id: entry.messageId, data: button.callback_data! });
  return (await w.api.waitForAnswer(id, 30_000)).text;
}

describe('a permission question of a real Claude Code session, answered from the phone (slow)', { timeout: SLOW_TEST_MS }, () => {
  it('should send the question with Allow / Deny, and Allow should let the Bash command run', async () => {
    // Claude's TUI must be drawn and take input before a turn can be sent to it.
    await until('the session to take input', async () => ['idle', 'waiting_input'].includes((await w.client.getSession(SESSION)).state), 60_000);
    await until("Claude's input box", async () => (await w.client.peek(SESSION, { lines: 50 })).lines.some((line) => /^\s*❯/.test(line)), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    w.anthropic.setScenario([
      { text: 'I will write the file.', toolUses: [{ name: 'Bash', input: { command: 'echo allowed-from-phone > permitted.txt', description: 'Write permitted.txt' } }] },
      { text: 'Wrote permitted.txt.' },
    ]);
    const after = w.api.mark();
    w.api.pushMessage({ from: OWNER, text: `/send ${SESSION} write permitted.txt please` });
    const sent = await w.api.waitForMessage((e) => e.seq > after && e.text.startsWith('📨 Sent to'), 60_000);
    expect(sent.text).toContain(SESSION);
    const question = await w.api.waitForMessage((e) => e.seq > after && e.buttons.some((b) => b.text === 'Allow'), 60_000);
    expect(question.buttons.map((b) => b.text)).toEqual(['Allow', 'Deny']);
    expect(question.text).toContain(`${SESSION} asks permission`);
    expect(existsSync(join(w.repo, 'permitted.txt'))).toBe(false);
    expect(await press(question, 'Allow')).toBe('Allowed');
    await until('the allowed command to run', () => existsSync(join(w.repo, 'permitted.txt')), 30_000);
    expect(readFileSync(join(w.repo, 'permitted.txt'), 'utf8').trim()).toBe('allowed-from-phone');
    await until('the question to be marked answered', () => w.api.message(OWNER.id, question.messageId)?.text?.includes('allowed by Ada'), 10_000);
    expect(w.api.message(OWNER.id, question.messageId)?.reply_markup).toBeUndefined();
  });

  it('should refuse a second press of the answered question without answering the session again', async () => {
    await until('the session to be done with its turn', async () => (await w.client.getSession(SESSION)).state !== 'waiting_permission', 30_000);
    const question = w.api.sent().find((e) => e.buttons.some((b) => b.text === 'Allow'))!;
    const id = w.api.pushCallback({ from: OWNER, message_id: question.messageId, data: question.buttons.find((b) => b.text === 'Deny')!.callback_data! });
    const answer = await w.api.waitForAnswer(id, 30_000);
    // The daemon refuses an answer to a session that asks nothing: the press is an error toast, in words.
    expect(answer.showAlert).toBe(true);
    expect(answer.text).not.toBe('Denied');
    expect(answer.text?.length).toBeGreaterThan(10);
    expect(readFileSync(join(w.repo, 'permitted.txt'), 'utf8').trim()).toBe('allowed-from-phone');
  });
});
