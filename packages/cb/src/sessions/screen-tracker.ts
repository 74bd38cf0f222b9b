/**
 * The tracker of last resort: what a custom agent (no hooks, no session file) can offer. It says
 * `idle` at start, and takes a prompt as received when its text shows on the screen. Exits are
 * seen by the manager's liveness check, not here. The agent signals in `signals/` replace it for
 * Claude and Codex.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { PromptReceipt, StartTracker, StateChange, StateTracker } from './contract.js';

/** How often the screen is read while waiting for a prompt to show (the spike polled at 100 ms). */
const SCREEN_POLL_MS = 100;
/** Scrollback read when looking for a prompt: a long turn may scroll it off the screen. */
const SCREEN_LINES = 200;

/** Tabs as four spaces (Claude's composer does the same), surrounding blanks trimmed. */
export function normalizePrompt(text: string): string {
  return text.replace(/\t/g, '    ').trim();
}

/** The last non-empty line of the prompt: what a screen shows of it even when the rest scrolled away. */
function screenNeedle(text: string): string {
  const lines = normalizePrompt(text).split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? '';
}

export const startScreenTracker: StartTracker = (options) => {
  let current: StateChange = options.initial ?? { state: 'idle', source: 'process', at: new Date().toISOString(), waitingFor: null };
  let stopped = false;
  if (!options.initial) setImmediate(() => !stopped && options.onChange(current));

  async function onScreen(text: string): Promise<boolean> {
    const needle = screenNeedle(text);
    if (!needle) return false;
    try {
      const screen = await options.tmux.capturePane(options.tmuxSession, { lines: SCREEN_LINES });
      return screen.split('\n').some((line) => line.includes(needle));
    } catch {
      return false;
    }
  }

  const tracker: StateTracker = {
    current: () => current,
    async waitForPrompt(text, _sinceMs, timeoutMs): Promise<PromptReceipt | null> {
      const deadline = Date.now() + timeoutMs;
      while (!stopped) {
        if (await onScreen(text)) return { confirmedBy: 'screen', at: new Date().toISOString() };
        if (Date.now() >= deadline) return null;
        await sleep(SCREEN_POLL_MS);
      }
      return null;
    },
    promptSeen: (text) => onScreen(text),
    stop() {
      stopped = true;
    },
  };
  return tracker;
};
