/**
 * One poller per bot token: Telegram answers 409 to a second `getUpdates` loop (or to polling
 * while a webhook is set). The lock file lives under FLOTILLA_HOME, named by a hash of the token,
 * holding `{pid, startTime}`; a lock left by a dead process is taken over.
 */
import { readFile } from 'node:fs/promises';
import { acquireLock, isKitError, type Lock } from '@flotilla/kit/fs';
import { telegramPaths } from './paths.js';

/** Another process polls this token; `message` says which and what to do. */
export class PollerLockedError extends Error {
  readonly code = 'POLLER_LOCKED';
  readonly holderPid: number | null;
  constructor(message: string, holderPid: number | null) {
    super(message);
    this.name = 'PollerLockedError';
    this.holderPid = holderPid;
  }
}

/**
 * Takes the token's poller lock at once or throws `PollerLockedError`.
 *
 * @example
 * await using lock = await acquirePollerLock(home, config.token);
 */
export async function acquirePollerLock(home: string, token: string): Promise<Lock> {
  const path = telegramPaths(home).lock(token);
  try {
    return await acquireLock(path, { timeoutMs: 0 });
  } catch (error) {
    if (!isKitError(error, 'LOCK_TIMEOUT')) throw error;
    const holder = await readHolder(path);
    const who = holder ? `pid ${holder.pid}${holder.at ? ` (since ${holder.at})` : ''}` : 'another process';
    throw new PollerLockedError(
      `another cb-telegram, ${who}, is already running this bot (lock ${path}); Telegram allows one poller per token — stop that one first (or let \`cb serve\` run it)`,
      holder?.pid ?? null,
    );
  }
}

async function readHolder(path: string): Promise<{ pid: number; at: string | null } | null> {
  try {
    const value = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; at?: unknown };
    return typeof value.pid === 'number' ? { pid: value.pid, at: typeof value.at === 'string' ? value.at : null } : null;
  } catch {
    return null;
  }
}
