/**
 * The voice feature: a voice note (or audio file) is fetched through the Bot API, transcribed,
 * and shown back with Send / Edit / Cancel buttons; only Send dispatches it, exactly as if the
 * text had been typed. Without a transcription endpoint the bot says how to configure one.
 */
import { readFile } from 'node:fs/promises';
import { basename, isAbsolute } from 'node:path';
import createDebug from 'debug';
import { Composer, InlineKeyboard, type Context } from 'grammy';
import { z } from 'zod';
import { VoiceDrafts, type VoiceDraft } from './drafts.js';
import type { Transcriber } from './transcriber.js';

const debug = createDebug('bot:voice');

/** The Bot API hands bots files up to 20 MB; bigger ones cannot be fetched at all. */
export const MAX_VOICE_BYTES = 20 * 1024 * 1024;
/** A fetch of the audio that takes longer than this is given up (the Bot API is usually fast). */
const DOWNLOAD_TIMEOUT_MS = 60_000;
/** Room left under Telegram's 4,096 characters for the words around the transcript. */
const SHOWN_TRANSCRIPT_CHARS = 3500;
const DEFAULT_API_ROOT = 'https://api.telegram.org';

export const NO_TRANSCRIBER_TEXT =
  'Voice messages need a transcription endpoint. Set TELEGRAM_TRANSCRIBE_URL to an OpenAI-compatible one ' +
  '(for example https://api.openai.com/v1/audio/transcriptions) and TELEGRAM_TRANSCRIBE_KEY if it needs a key, then restart the bot. ' +
  'Until then, type the text instead.';

export interface VoiceDeps {
  transcriber: Transcriber | null;
  /**
   * What the bot does with typed text (a new job, the selected session, or — with `replyTo`, the
   * bot's message the voice note answered — that notification's job or session); called only after Send.
   */
  dispatch(ctx: Context, text: string, options?: { replyTo?: number }): Promise<void>;
}

const ACTIONS = { s: 'send', e: 'edit', c: 'cancel' } as const;
/** `v:<s|e|c>:<draft id>` — parsed with zod; anything else under `v:` is refused. */
const VoiceCallbackSchema = z
  .string()
  .regex(/^v:[sec]:[0-9a-f]{8}$/)
  .transform((data) => ({ action: ACTIONS[data[2] as keyof typeof ACTIONS], draftId: data.slice(4) }));

function voiceCallback(action: keyof typeof ACTIONS, draft: VoiceDraft): string {
  return `v:${action}:${draft.id}`;
}

function draftKeyboard(draft: VoiceDraft): InlineKeyboard {
  return new InlineKeyboard().text('Send', voiceCallback('s', draft)).text('Edit', voiceCallback('e', draft)).text('Cancel', voiceCallback('c', draft));
}

function shown(text: string): string {
  if (text.length <= SHOWN_TRANSCRIPT_CHARS) return text;
  return `${text.slice(0, SHOWN_TRANSCRIPT_CHARS)}… (${text.length - SHOWN_TRANSCRIPT_CHARS} more characters, all of which will be sent)`;
}

async function showDraft(ctx: Context, draft: VoiceDraft, heading: string): Promise<void> {
  // Plain text, no parse_mode: a transcript can hold any character and must not break Markdown.
  await ctx.reply(`${heading}\n\n${shown(draft.text)}`, { reply_markup: draftKeyboard(draft) });
}

/** The audio's bytes: over HTTP from the bot's API root, or from disk when a local Bot API server gives an absolute path. */
async function downloadAudio(ctx: Context, filePath: string): Promise<Buffer> {
  if (isAbsolute(filePath)) return readFile(filePath);
  const apiRoot = ctx.api.options?.apiRoot ?? DEFAULT_API_ROOT;
  let response: Response;
  try {
    response = await fetch(`${apiRoot}/file/bot${ctx.api.token}/${filePath}`, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    // Never the URL in the message: it holds the bot token.
    const cause = error as Error & { cause?: { code?: string } };
    throw new Error(`could not fetch the voice message from Telegram (${cause.name === 'TimeoutError' ? 'timed out' : (cause.cause?.code ?? 'network error')})`);
  }
  if (!response.ok) throw new Error(`Telegram refused to hand over the voice message (HTTP ${response.status})`);
  return Buffer.from(await response.arrayBuffer());
}

async function transcribeMessage(ctx: Context, transcriber: Transcriber): Promise<string> {
  const media = ctx.message?.voice ?? ctx.message?.audio;
  if (!media) throw new Error('the message holds no audio');
  if ((media.file_size ?? 0) > MAX_VOICE_BYTES) throw new Error('it is over 20 MB, more than Telegram lets a bot fetch; send a shorter one');
  await ctx.replyWithChatAction('typing').catch(() => undefined);
  const file = await ctx.getFile();
  if (!file.file_path) throw new Error('Telegram gave no path for the audio file');
  const audio = await downloadAudio(ctx, file.file_path);
  const fileName = ctx.message?.audio?.file_name ?? basename(file.file_path);
  return transcriber.transcribe(audio, fileName);
}

async function dropButtons(ctx: Context, text?: string): Promise<void> {
  const edit = text === undefined ? ctx.editMessageReplyMarkup({ reply_markup: undefined }) : ctx.editMessageText(text);
  await edit.catch((error: unknown) => debug('could not update the draft message: %s', (error as Error).message));
}

async function onButton(ctx: Context, deps: VoiceDeps, drafts: VoiceDrafts): Promise<void> {
  const parsed = VoiceCallbackSchema.safeParse(ctx.callbackQuery?.data);
  const userId = ctx.from?.id;
  const draft = parsed.success && userId !== undefined ? drafts.get(userId, parsed.data.draftId) : undefined;
  if (!parsed.success || !draft) {
    await ctx.answerCallbackQuery({ text: 'This voice draft has expired or was replaced. Send the voice message again.', show_alert: true });
    await dropButtons(ctx);
    return;
  }
  switch (parsed.data.action) {
    case 'send': {
      drafts.delete(draft.userId);
      await ctx.answerCallbackQuery({ text: 'Sending' });
      await dropButtons(ctx, `🎙 Sent:\n\n${shown(draft.text)}`);
      try {
        await deps.dispatch(ctx, draft.text, draft.replyTo === null ? {} : { replyTo: draft.replyTo });
      } catch (error) {
        const again = drafts.put(draft.userId, draft.chatId, draft.text, draft.replyTo);
        await showDraft(ctx, again, `Could not send it: ${(error as Error).message}\nThe text is kept:`);
      }
      return;
    }
    case 'edit':
      drafts.awaitEdit(draft);
      await ctx.answerCallbackQuery({ text: 'Send the corrected text' });
      await dropButtons(ctx);
      await ctx.reply('Send the corrected text as your next message.', { reply_markup: { force_reply: true, input_field_placeholder: 'The corrected text' } });
      return;
    case 'cancel':
      drafts.delete(draft.userId);
      await ctx.answerCallbackQuery({ text: 'Cancelled' });
      await dropButtons(ctx, '🎙 Cancelled: nothing was sent.');
      return;
  }
}

/**
 * The voice feature as one grammY composer. Use it before the features that take plain text and
 * button presses: it takes `v:` buttons and, after Edit, the user's next plain message.
 *
 * @example
 * bot.use(voiceComposer({ transcriber: createTranscriber({ url }), dispatch: (ctx, text) => startJob(ctx, deps, text) }));
 */
export function voiceComposer(deps: VoiceDeps, drafts = new VoiceDrafts()): Composer<Context> {
  const composer = new Composer<Context>();
  const feature = composer.errorBoundary(async ({ error, ctx }) => {
    debug('voice feature failed: %s', (error as Error).message);
    await ctx.reply(`Voice: something went wrong (${(error as Error).message}).`).catch(() => undefined);
  });

  feature.on(['message:voice', 'message:audio'], async (ctx) => {
    if (!deps.transcriber) {
      await ctx.reply(NO_TRANSCRIBER_TEXT);
      return;
    }
    let text: string;
    try {
      text = await transcribeMessage(ctx, deps.transcriber);
    } catch (error) {
      await ctx.reply(`Could not transcribe the voice message: ${(error as Error).message}`);
      return;
    }
    if (text === '') {
      await ctx.reply('I could not make out any words in that voice message.');
      return;
    }
    await showDraft(ctx, drafts.put(ctx.from.id, ctx.chat.id, text, ctx.message.reply_to_message?.message_id ?? null), '🎙 I heard:');
  });

  feature.callbackQuery(/^v:/, (ctx) => onButton(ctx, deps, drafts));

  feature.on('message:text', async (ctx, next) => {
    const draft = drafts.get(ctx.from.id);
    if (!draft?.awaitingEdit || ctx.message.text.startsWith('/')) return next();
    const replyTo = ctx.message.reply_to_message;
    if (replyTo && replyTo.from?.id === ctx.me.id && !/^Send the corrected text/.test(replyTo.text ?? '')) return next();
    await showDraft(ctx, drafts.put(ctx.from.id, ctx.chat.id, ctx.message.text, draft.replyTo), '🎙 The corrected text:');
  });
  return composer;
}
