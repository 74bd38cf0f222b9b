import { afterEach, describe, expect, it } from 'vitest';
import type { PromptReceipt, StateTracker } from './contract.js';
import { DEFAULT_SESSION_TIMING } from './deps.js';
import { sendText, type DeliveryTarget } from './delivery.js';
import { createSessionManager, type SessionManager } from './manager.js';
import { eventually, startSessionFixture, type SessionFixture } from './test-support.js';

let fixture: SessionFixture;
let manager: SessionManager;
afterEach(async () => {
  manager?.close();
  await fixture?.[Symbol.asyncDispose]();
});

/** A tracker whose receipts are scripted: `receipts[i]` answers the i-th waitForPrompt. */
function scriptedTracker(receipts: (PromptReceipt | null)[], seen: boolean): StateTracker & { asked: string[] } {
  const asked: string[] = [];
  let n = 0;
  return {
    asked,
    current: () => ({ state: 'idle', source: 'hook', at: new Date().toISOString(), waitingFor: null }),
    async waitForPrompt() {
      asked.push('waitForPrompt');
      return receipts[n++] ?? null;
    },
    async promptSeen() {
      asked.push('promptSeen');
      return seen;
    },
    stop: () => undefined,
  };
}

async function target(tracker: StateTracker): Promise<DeliveryTarget & { cwd: string }> {
  fixture = startSessionFixture();
  manager = createSessionManager(fixture.deps);
  const cwd = fixture.workdir('d');
  const session = await manager.create({ name: 'd', agent: 'paster', cwd, worktree: false, alerts: [] });
  await eventually(async () => (await manager.peek('d', 50)).lines.includes('paste-agent ready'), 'the agent to start');
  return { deps: fixture.deps, timing: { ...DEFAULT_SESSION_TIMING, confirmMs: 200, enterDelayMs: 50 }, session, tracker, cwd };
}

const HOOK: PromptReceipt = { confirmedBy: 'hook', at: new Date().toISOString() };

describe('sendText', () => {
  it('should never paste twice when the tracker says the prompt was already taken (or queued)', async () => {
    const tracker = scriptedTracker([null], true);
    const t = await target(tracker);
    expect(await sendText(t, 'only once')).toMatchObject({ delivered: true, confirmedBy: 'transcript', attempts: 1 });
    expect(tracker.asked).toEqual(['waitForPrompt', 'promptSeen']);
    await new Promise((r) => setTimeout(r, 300));
    expect(fixture.turns(t.cwd)).toEqual([{ text: 'only once', pasted: true }]);
  });

  it('should press Enter only on the retry when the text already sits in the composer', async () => {
    const tracker = scriptedTracker([null, HOOK], false);
    const t = await target(tracker);
    expect(await sendText(t, 'enter again')).toMatchObject({ delivered: true, confirmedBy: 'hook', attempts: 2 });
    await eventually(async () => fixture.turns(t.cwd).length === 2, 'the second Enter');
    // The paste-agent took the first Enter; the retry's Enter alone makes an empty turn, never a second copy.
    expect(fixture.turns(t.cwd)).toEqual([{ text: 'enter again', pasted: true }, { text: '', pasted: false }]);
  });

  it('should report a failure after two unconfirmed attempts', async () => {
    const t = await target(scriptedTracker([], false));
    const receipt = await sendText(t, 'lost');
    expect(receipt).toMatchObject({ delivered: false, confirmedBy: null, attempts: 2 });
    expect(receipt.error).toMatch(/^paster did not take the text as a prompt within \ds \(2 attempts/);
  });
});
