/**
 * Optional packages a server runs beside itself, as `/api/addons/*` reports them: today the
 * Telegram bot, which `cb serve` and `mesh serve` supervise as a child process when it is installed.
 */
import { z } from 'zod';

/** A child process a server keeps running (restarted with backoff when it ends on its own). */
export const SupervisedProcessSchema = z.object({
  name: z.string(),
  running: z.boolean(),
  pid: z.number().int().nullable(),
  restarts: z.number().int().nonnegative(),
  startedAt: z.string().nullable(),
  /** How the last run ended (`exit 1`, `signal SIGKILL`), null before any ended. */
  lastExit: z.string().nullable(),
  /** The child's last line on stderr. */
  lastError: z.string().nullable(),
});
export type SupervisedProcess = z.infer<typeof SupervisedProcessSchema>;

/** What the bot says of its own configuration (never the bot token). */
export const TelegramBotFactsSchema = z.object({
  configured: z.boolean(),
  username: z.string().nullable(),
  allowedUsers: z.array(z.number().int()),
  mode: z.enum(['polling', 'webhook']),
  /** Why it is not configured, in words. */
  problem: z.string().nullable(),
});
export type TelegramBotFacts = z.infer<typeof TelegramBotFactsSchema>;

export const TelegramAddonStatusSchema = z.object({
  /** `@flotilla/telegram` is installed beside the server. */
  installed: z.boolean(),
  /** The bot process this server supervises; null when it runs none (not installed, or not serving). */
  process: SupervisedProcessSchema.nullable(),
  /** The bot's own report of its configuration; null when it could not be read. */
  bot: TelegramBotFactsSchema.nullable(),
});
export type TelegramAddonStatus = z.infer<typeof TelegramAddonStatusSchema>;
