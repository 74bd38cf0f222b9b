/** What every feature of the bot shares: its dependencies and the safe ways to answer. */
import { InlineKeyboard, InputFile, type Api, type Context } from 'grammy';
import type { FlotillaClient } from '@flotilla/protocol';
import { CHUNK_CHARS, DOCUMENT_THRESHOLD_CHARS, escapeHtml, splitText } from './format.js';
import { describeError, redact } from './errors.js';
import type { PendingPrompts } from './pending.js';
import type { ServerAccess } from './server-access.js';
import type { BotState, Route } from './state.js';

export interface FeatureDeps {
  client: FlotillaClient;
  access: ServerAccess;
  /** The loaded state; the update pipeline loads it before any feature runs. */
  state(): BotState;
  pending: PendingPrompts;
  allowedUsers: readonly number[];
  log(line: string): void;
  /** Secrets never to be shown or logged: the bot token, the transcription key. */
  secrets: readonly string[];
}

/** Message options for HTML output: parse mode, no link previews (results are full of URLs). */
export const HTML = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

/** Answers with HTML (already escaped by the caller); routes replies to it when `route` is given. */
export async function replyHtml(ctx: Context, deps: FeatureDeps, html: string, extra: { keyboard?: InlineKeyboard; route?: Route; forceReply?: boolean } = {}): Promise<void> {
  const reply_markup = extra.keyboard ?? (extra.forceReply ? { force_reply: true as const, selective: true } : undefined);
  const message = await ctx.reply(html, { ...HTML, reply_markup });
  if (extra.route) deps.state().setRoute(message.chat.id, message.message_id, extra.route);
}

/**
 * Answers with a list of self-contained HTML lines, packed into as few messages as fit under the
 * limit (a long /sessions or /inbox must not be refused by Telegram).
 */
export async function replyLines(ctx: Context, deps: FeatureDeps, lines: readonly string[]): Promise<void> {
  let message = '';
  for (const line of lines) {
    const next = message ? `${message}\n${line}` : line;
    if (next.length > CHUNK_CHARS && message) {
      await replyHtml(ctx, deps, message);
      message = line;
    } else message = next;
  }
  if (message) await replyHtml(ctx, deps, message);
}

/** An error in words (message, then the fix), with every secret cut out. */
export function errorHtml(error: unknown, secrets: readonly string[]): string {
  const { message, fix } = describeError(error);
  const lines = [`⚠️ ${escapeHtml(redact(message, secrets))}`];
  if (fix) lines.push(`<i>fix:</i> ${escapeHtml(redact(fix, secrets))}`);
  return lines.join('\n');
}

/**
 * Sends long plain text safely: one message when it fits, a few split messages when it is long,
 * a file when it is very long. `titleHtml` heads the first message (or is the file's caption).
 */
export async function sendLongText(api: Api, chatId: number, options: { titleHtml: string; text: string; fileName: string; pre?: boolean }): Promise<number[]> {
  const wrap = (chunk: string): string => (options.pre ? `<pre>${escapeHtml(chunk)}</pre>` : escapeHtml(chunk));
  if (options.text.length > DOCUMENT_THRESHOLD_CHARS) {
    const file = new InputFile(Buffer.from(options.text, 'utf8'), options.fileName);
    const sent = await api.sendDocument(chatId, file, { caption: options.titleHtml, parse_mode: 'HTML' });
    return [sent.message_id];
  }
  const ids: number[] = [];
  const chunks = splitText(options.text, CHUNK_CHARS - options.titleHtml.length);
  for (const [index, chunk] of chunks.entries()) {
    const head = index === 0 ? `${options.titleHtml}\n` : `<i>(${index + 1}/${chunks.length})</i>\n`;
    const sent = await api.sendMessage(chatId, `${head}${wrap(chunk)}`, HTML);
    ids.push(sent.message_id);
  }
  return ids;
}

/** The words after a command (`/send reviewer hi there` → `reviewer hi there`). */
export function commandText(ctx: Context): string {
  return typeof ctx.match === 'string' ? ctx.match.trim() : '';
}
