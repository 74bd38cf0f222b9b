/**
 * Plain text: a reply to a notification goes to its job (resume) or session (send); otherwise to
 * the chat's selected session (`/use`); otherwise it is offered as a new job behind Run / Cancel.
 */
import { Composer, InlineKeyboard, type Context } from 'grammy';
import { encodeCallback } from '../callback-data.js';
import { clip, code, escapeHtml } from '../format.js';
import { replyHtml, type FeatureDeps } from '../shared.js';
import { sendToSession } from './sessions.js';

export function replyRoutingComposer(deps: FeatureDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('message:text', async (ctx) => {
    const text = ctx.message.text;
    if (text.startsWith('/')) return replyHtml(ctx, deps, `Unknown command ${code(text.split(/\s/)[0] ?? text)}. /help lists what I understand.`);
    await dispatchText(ctx, deps, text);
  });
  return composer;
}

/** Where typed (or transcribed) text goes; shared with the voice feature. */
export async function dispatchText(ctx: Context, deps: FeatureDeps, text: string, options: { replyTo?: number } = {}): Promise<void> {
  const chatId = ctx.chat?.id;
  const userId = ctx.from?.id;
  if (chatId === undefined || userId === undefined) return;
  const replyTo = options.replyTo ?? ctx.message?.reply_to_message?.message_id;
  const route = replyTo === undefined ? null : deps.state().route(chatId, replyTo);
  if (route?.kind === 'job') {
    const job = await deps.client.resumeJob(route.jobId, text);
    return replyHtml(ctx, deps, `↪️ Job ${code(job.id)} continues (attempt ${job.attempts.length + (job.pending ? 1 : 0)}); I will tell you when it ends.`, { route });
  }
  if (route?.kind === 'session') return sendToSession(ctx, deps, route.name, text);
  const selected = deps.state().selectedSession(chatId);
  if (selected) return sendToSession(ctx, deps, selected, text);
  const key = deps.pending.add({ chatId, userId, text });
  const keyboard = new InlineKeyboard().text('Run', encodeCallback({ action: 'run', key })).text('Cancel', encodeCallback({ action: 'drop', key }));
  await replyHtml(ctx, deps, `Start a job with this prompt?\n<i>${escapeHtml(clip(text, 500))}</i>`, { keyboard });
}
