/** Where the bot keeps its files under FLOTILLA_HOME, in one place. */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export type Env = Readonly<Record<string, string | undefined>>;

export interface TelegramPaths {
  home: string;
  /** `telegram.json` (0600): the token, the allowlist, the mode. */
  config: string;
  /** What the bot remembers across restarts: handled update ids, the last event id, reply routes. */
  state: string;
  /** A cb daemon's CLI socket (cb falls back to /tmp when the home path is too long for a unix socket). */
  cbSocket: string;
  /** A mesh hub's CLI socket on this machine and home. */
  meshSocket: string;
  /** The poller lock of one bot token (keyed by a hash of the token, never the token itself). */
  lock(token: string): string;
}

/** `$FLOTILLA_HOME`, default `~/.flotilla`, as cb and mesh resolve it. */
export function resolveHome(env: Env = process.env): string {
  return resolve(env.FLOTILLA_HOME || join(homedir(), '.flotilla'));
}

/** First 12 hex of sha256: enough to key a file by a secret without revealing it. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

export function telegramPaths(home: string): TelegramPaths {
  const cbSocket = join(home, 'cb.sock');
  return {
    home,
    config: join(home, 'telegram.json'),
    state: join(home, 'telegram-state.json'),
    // The same rule as cb's home.ts: unix socket paths are limited to ~104 bytes.
    cbSocket: cbSocket.length < 100 ? cbSocket : join('/tmp', `flotilla-${shortHash(home)}.sock`),
    meshSocket: join(home, 'mesh.sock'),
    lock: (token) => join(home, `telegram-${shortHash(token)}.lock`),
  };
}

/** Creates FLOTILLA_HOME (0700) when this is the first Flotilla program to run on the machine. */
export async function ensureHome(home: string): Promise<void> {
  await mkdir(home, { recursive: true, mode: 0o700 });
}
