/**
 * `cb-telegram setup`: the BotFather token (asked for, `--token` or TELEGRAM_BOT_TOKEN), getMe,
 * then the user sends /start from the phone; setup shows who it was, asks to confirm (or `--yes`),
 * records that user id in the allowlist and writes `telegram.json` (0600).
 */
import { Api } from 'grammy';
import type { Message, User } from 'grammy/types';
import { readConfigFile, BotTokenSchema, writeTelegramConfig } from '../../config/config.js';
import { acquirePollerLock } from '../../config/lock.js';
import { ensureHome, telegramPaths } from '../../config/paths.js';
import { describeError } from '../../bot/errors.js';
import { createLineReader, printLine, UsageError, type CliContext } from '../context.js';

/** Telegram holds a getUpdates request open at most this long; shorter keeps Ctrl-C responsive. */
const LONG_POLL_SECONDS = 20;

export interface SetupOptions {
  token?: string;
  apiRoot?: string;
  yes: boolean;
  timeoutMs: number;
}

/** Runs the walk-through; resolves with the user id recorded. */
export async function setup(ctx: CliContext, options: SetupOptions): Promise<number> {
  const { stdout } = ctx.streams;
  const readLine = createLineReader(ctx.streams.stdin);
  const paths = telegramPaths(ctx.home);
  const existing = await readConfigFile(paths.config);
  if (!existing.ok) throw new UsageError(existing.issues.join('\n'), `repair ${paths.config} or move it aside, then run setup again`);
  const token = await askToken(ctx, options.token ?? ctx.env.TELEGRAM_BOT_TOKEN ?? existing.value?.token, readLine);
  const apiRoot = options.apiRoot ?? ctx.env.TELEGRAM_API_ROOT ?? existing.value?.apiRoot;
  const api = new Api(token, apiRoot ? { apiRoot } : {});
  const me = await api.getMe().catch((error: unknown) => {
    throw new UsageError(`Telegram did not accept the token: ${describeError(error).message}`, 'copy the token again from @BotFather (/mybots → API Token)');
  });
  // Polling here while the bot runs would make both fail with 409: setup takes the poller lock.
  await ensureHome(ctx.home);
  await using _lock = await acquirePollerLock(ctx.home, token);
  printLine(stdout, `Found the bot @${me.username} (${me.first_name}).`);
  printLine(stdout, `Now open Telegram on your phone and send /start to @${me.username} — waiting up to ${Math.round(options.timeoutMs / 1000)} s…`);
  const start = await waitForStart(api, options.timeoutMs);
  const user = start.from as User;
  printLine(stdout, `/start came from ${describeUser(user)}.`);
  if (!(await confirm(ctx, options.yes, readLine, `Allow ${user.first_name} (id ${user.id}) to drive Flotilla from Telegram? [y/N] `))) {
    printLine(stdout, 'Not allowed; nothing was written.');
    return 0;
  }
  const allowedUsers = [...new Set([...(existing.value?.allowedUsers ?? []), user.id])];
  const file = await writeTelegramConfig(ctx.home, { ...existing.value, token, allowedUsers, ...(apiRoot ? { apiRoot } : {}) });
  await api
    .sendMessage(start.chat.id, 'You are on this Flotilla bot\'s allowlist. Once `cb-telegram` runs (or `cb serve` starts it), send /help.')
    .catch((error: unknown) => printLine(ctx.streams.stderr, `(could not greet you in Telegram: ${describeError(error).message})`));
  printLine(stdout, `Saved ${file} (mode 0600): ${allowedUsers.length} allowed user(s). Start the bot with: cb-telegram`);
  return user.id;
}

async function askToken(ctx: CliContext, given: string | undefined, readLine: () => Promise<string | null>): Promise<string> {
  let token = given?.trim();
  if (!token) {
    ctx.streams.stdout.write('Paste the token @BotFather gave you (/newbot): ');
    token = (await readLine())?.trim();
  }
  const parsed = BotTokenSchema.safeParse(token ?? '');
  if (!parsed.success) throw new UsageError(token ? 'that is not a bot token (it looks like 123456789:AAH…)' : 'no token given', 'create a bot with @BotFather in Telegram (/newbot) and paste its token, or pass --token');
  return parsed.data;
}

/** Long-polls getUpdates until a private `/start` arrives, confirming every update it reads. */
async function waitForStart(api: Api, timeoutMs: number): Promise<Message> {
  const deadline = Date.now() + timeoutMs;
  let offset: number | undefined;
  while (Date.now() < deadline) {
    const seconds = Math.max(1, Math.min(LONG_POLL_SECONDS, Math.floor((deadline - Date.now()) / 1000)));
    const updates = await api.getUpdates({ offset, timeout: seconds, allowed_updates: ['message'] });
    for (const update of updates) {
      offset = update.update_id + 1;
      const message = update.message;
      if (message?.from && message.chat.type === 'private' && /^\/start(@\w+)?(\s|$)/.test(message.text ?? '')) {
        await api.getUpdates({ offset, timeout: 0 }).catch(() => undefined);
        return message;
      }
    }
  }
  throw new UsageError(`no /start arrived within ${Math.round(timeoutMs / 1000)} s`, 'send /start to the bot from your phone while setup waits (or pass --timeout SECONDS)');
}

async function confirm(ctx: CliContext, yes: boolean, readLine: () => Promise<string | null>, question: string): Promise<boolean> {
  if (yes) return true;
  if (!ctx.streams.stdin.isTTY) throw new UsageError('cannot ask for confirmation: stdin is not a terminal', 'run setup in a terminal, or pass --yes to allow the user who sent /start');
  ctx.streams.stdout.write(question);
  return /^y(es)?$/i.test(((await readLine()) ?? '').trim());
}

function describeUser(user: User): string {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return `${name}${user.username ? ` (@${user.username})` : ''}, user id ${user.id}`;
}
