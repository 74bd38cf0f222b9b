/**
 * The Telegram bot as an add-on of a server: when `@flotilla/telegram` is installed beside `cb` or
 * `mesh`, `cb serve` / `mesh serve` run its `cb-telegram` as a supervised child pointed at their
 * own socket. A bot without a configuration exits with 78 and is not started again; the one-poller
 * lock is the bot's own business.
 */
import { TelegramBotFactsSchema, type TelegramAddonStatus, type TelegramBotFacts } from '@flotilla/protocol';
import { execFileResult } from '../process/exec-file.js';
import { superviseChild, type Supervisor } from '../process/supervise.js';
import { findAddonBin } from './addons.js';

export const TELEGRAM_PACKAGE = '@flotilla/telegram';
export const TELEGRAM_BIN = 'cb-telegram';

export interface TelegramAddonOptions {
  /** The server's module URL (`import.meta.url`): the add-on is looked for beside it. */
  from: string;
  /** The server's FLOTILLA_HOME. */
  home: string;
  /** The socket of the server the bot talks to (the daemon's or the hub's). */
  socket: string;
  /** The server's environment; the bot gets it with FLOTILLA_HOME set. */
  env: NodeJS.ProcessEnv;
  /** The bot's output lines (for the server's debug log). */
  onLine?(stream: 'stdout' | 'stderr', line: string): void;
}

export interface TelegramAddon {
  /** Starts the bot unless it already runs (or gave up on a missing configuration). */
  ensureRunning(): void;
  status(): Promise<TelegramAddonStatus>;
  stop(): Promise<void>;
}

/** The add-on, or null when `@flotilla/telegram` is not installed beside the server. */
export function findTelegramAddon(options: TelegramAddonOptions): TelegramAddon | null {
  const bin = findAddonBin(TELEGRAM_PACKAGE, TELEGRAM_BIN, options.from);
  if (!bin) return null;
  const env = { ...options.env, FLOTILLA_HOME: options.home };
  let supervisor: Supervisor | null = null;
  return {
    ensureRunning() {
      supervisor ??= superviseChild({
        name: 'telegram',
        command: process.execPath,
        args: [bin, 'run', '--server', options.socket],
        env,
        onLine: options.onLine,
      });
    },
    async status() {
      return { installed: true, process: supervisor?.state() ?? null, bot: await readBotFacts(bin, env) };
    },
    async stop() {
      await supervisor?.stop();
    },
  };
}

/** What `cb-telegram status --json` says of the bot's configuration; null when it says nothing readable. */
async function readBotFacts(bin: string, env: NodeJS.ProcessEnv): Promise<TelegramBotFacts | null> {
  const result = await execFileResult(process.execPath, [bin, 'status', '--json'], { env, timeoutMs: 10_000, maxOutputBytes: 64 * 1024 });
  try {
    const parsed = TelegramBotFactsSchema.safeParse(JSON.parse(result.stdout));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
