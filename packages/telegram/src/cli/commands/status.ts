/**
 * `cb-telegram status [--json]`: what the dashboard's Security page shows — bot username, allowed
 * users, mode, whether a poller runs — and never the token, the webhook secret or the transcription key.
 */
import { readFile } from 'node:fs/promises';
import { Api } from 'grammy';
import type { TelegramBotFacts } from '@flotilla/protocol';
import { loadTelegramConfig, startProblem } from '../../config/config.js';
import { telegramPaths } from '../../config/paths.js';
import { describeError, redact } from '../../bot/errors.js';
import { printJson, printLine, type CliContext } from '../context.js';

/** getMe answers in well under a second; a status page should not hang on a dead network. */
const GET_ME_TIMEOUT_MS = 5_000;

/**
 * The facts, a superset of the protocol's `TelegramBotFacts` (what `cb serve` reads for
 * `/api/addons/telegram`): `configured`, `username`, `allowedUsers`, `mode`, `problem`.
 */
export interface TelegramStatus extends TelegramBotFacts {
  file: string;
  bot: { id: number; username: string } | null;
  /** Why the username is unknown (offline, Telegram refused), or null. */
  botError: string | null;
  webhook: { url: string; host: string; port: number } | null;
  apiRoot: string | null;
  transcription: { configured: boolean; model: string | null };
  /** The process polling this token now, from its lock file. */
  poller: { pid: number; since: string | null } | null;
}

export async function status(ctx: CliContext, options: { json: boolean; offline: boolean }): Promise<TelegramStatus> {
  const report = await collectStatus(ctx, options.offline);
  if (options.json) printJson(ctx.streams.stdout, report);
  else printStatus(ctx, report);
  return report;
}

export async function collectStatus(ctx: CliContext, offline: boolean): Promise<TelegramStatus> {
  const loaded = await loadTelegramConfig({ home: ctx.home, env: ctx.env });
  const file = telegramPaths(ctx.home).config;
  if (!loaded.ok) {
    const facts = { configured: false, username: null, allowedUsers: [], mode: 'polling', problem: loaded.issues.join('; ') } as const;
    return { ...facts, allowedUsers: [], file, bot: null, botError: null, webhook: null, apiRoot: null, transcription: { configured: false, model: null }, poller: null };
  }
  const config = loaded.value;
  const secrets = [config.token, config.transcription?.apiKey, config.webhook?.secret];
  let bot: TelegramStatus['bot'] = null;
  let botError: string | null = offline ? 'not asked (--offline)' : null;
  if (!offline) {
    try {
      const api = new Api(config.token, config.apiRoot ? { apiRoot: config.apiRoot } : {});
      const me = await api.getMe(AbortSignal.timeout(GET_ME_TIMEOUT_MS) as unknown as Parameters<Api["getMe"]>[0]);
      bot = { id: me.id, username: me.username };
    } catch (error) {
      botError = redact(describeError(error).message, secrets);
    }
  }
  return {
    configured: true,
    username: bot?.username ?? null,
    file,
    problem: startProblem(config, file),
    bot,
    botError,
    allowedUsers: config.allowedUsers,
    mode: config.mode,
    webhook: config.webhook ? { url: config.webhook.url, host: config.webhook.host ?? '127.0.0.1', port: config.webhook.port } : null,
    apiRoot: config.apiRoot ?? null,
    transcription: { configured: config.transcription !== undefined, model: config.transcription?.model ?? null },
    poller: await pollerOf(telegramPaths(ctx.home).lock(config.token)),
  };
}

async function pollerOf(lockPath: string): Promise<TelegramStatus['poller']> {
  try {
    const owner = JSON.parse(await readFile(lockPath, 'utf8')) as { pid?: unknown; at?: unknown };
    if (typeof owner.pid !== 'number') return null;
    process.kill(owner.pid, 0);
    return { pid: owner.pid, since: typeof owner.at === 'string' ? owner.at : null };
  } catch {
    return null;
  }
}

function printStatus(ctx: CliContext, report: TelegramStatus): void {
  const out = ctx.streams.stdout;
  if (!report.configured) {
    printLine(out, `not configured: ${report.problem ?? ''}`);
    return;
  }
  printLine(out, `bot: ${report.bot ? `@${report.bot.username} (${report.bot.id})` : `unknown — ${report.botError ?? ''}`}`);
  printLine(out, `allowed users: ${report.allowedUsers.length > 0 ? report.allowedUsers.join(', ') : 'none'}`);
  printLine(out, `mode: ${report.mode}${report.webhook ? ` (${report.webhook.url} → ${report.webhook.host}:${report.webhook.port})` : ''}`);
  printLine(out, `voice: ${report.transcription.configured ? `on${report.transcription.model ? ` (${report.transcription.model})` : ''}` : 'off'}`);
  printLine(out, `poller: ${report.poller ? `pid ${report.poller.pid}${report.poller.since ? ` since ${report.poller.since}` : ''}` : 'not running'}`);
  if (report.problem) printLine(out, `problem: ${report.problem}`);
}
