/**
 * Plain text waiting for its Run / Cancel button. Kept in memory only: callback data has room for
 * a key, not a prompt, and a confirm button from before a restart should expire rather than run.
 */
import { randomBytes } from 'node:crypto';

/** A confirm button older than this has been forgotten; pressing it says so. */
const PENDING_TTL_MS = 60 * 60_000;
const MAX_PENDING = 200;

export interface PendingPrompt {
  chatId: number;
  userId: number;
  text: string;
  at: number;
}

export interface PendingPrompts {
  add(prompt: Omit<PendingPrompt, 'at'>): string;
  /** Removes and returns the prompt, or null when unknown or expired. */
  take(key: string): PendingPrompt | null;
}

export function createPendingPrompts(now: () => number = Date.now): PendingPrompts {
  const prompts = new Map<string, PendingPrompt>();
  return {
    add(prompt) {
      const key = randomBytes(5).toString('hex');
      prompts.set(key, { ...prompt, at: now() });
      if (prompts.size > MAX_PENDING) prompts.delete(prompts.keys().next().value as string);
      return key;
    },
    take(key) {
      const prompt = prompts.get(key);
      prompts.delete(key);
      return prompt && now() - prompt.at <= PENDING_TTL_MS ? prompt : null;
    },
  };
}
