/**
 * Inline buttons: Retry / Show more / Resume under a job, Allow / Deny under a permission question,
 * Run / Cancel under plain text. Data is parsed with zod first; anything the bot did not make gets
 * an error toast and nothing else.
 */
import { Composer, type Context } from 'grammy';
import { ProtocolError, type FlotillaClient } from '@flotilla/protocol';
import { parseCallback, type CallbackAction } from '../callback-data.js';
import { describeError, redact } from '../errors.js';
import { clip, code, escapeHtml } from '../format.js';
import { replyHtml, sendLongText, type FeatureDeps } from '../shared.js';
import { startJob } from './jobs.js';

/** Telegram shows at most 200 characters in a callback answer. */
const TOAST_CHARS = 200;

export function callbacksComposer(deps: FeatureDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.on('callback_query', async (ctx) => {
    const action = parseCallback(ctx.callbackQuery.data);
    if (!action) {
      deps.log(`refused a button press with data the bot did not make, from user ${ctx.from.id}`);
      await ctx.answerCallbackQuery({ text: 'This button is not one of mine (or it is too old). Nothing was done.', show_alert: true });
      return;
    }
    try {
      const toast = await handleAction(ctx, deps, action);
      await ctx.answerCallbackQuery({ text: toast });
    } catch (error) {
      const { message, fix } = describeError(error);
      await ctx.answerCallbackQuery({ text: clip(redact(`${message}${fix ? ` — ${fix}` : ''}`, deps.secrets), TOAST_CHARS), show_alert: true });
    }
  });
  return composer;
}

async function handleAction(ctx: Context, deps: FeatureDeps, action: CallbackAction): Promise<string> {
  switch (action.action) {
    case 'retry': {
      const job = await deps.client.retryJob(action.jobId);
      await replyHtml(ctx, deps, `🔁 Job ${code(job.id)} ${escapeHtml(job.status)} again`, { route: { kind: 'job', jobId: job.id } });
      return 'Retrying';
    }
    case 'more':
      await showMore(ctx, deps, action.jobId);
      return 'Sent';
    case 'resume':
      await replyHtml(ctx, deps, `Reply to this message with the follow-up for job ${code(action.jobId)}.`, { forceReply: true, route: { kind: 'job', jobId: action.jobId } });
      return 'Reply with the follow-up';
    case 'allow':
    case 'deny':
      return answerQuestion(ctx, deps, action.sessionId, action.action);
    case 'run':
    case 'drop': {
      const pending = deps.pending.take(action.key);
      if (!pending || pending.chatId !== ctx.chat?.id) throw new ProtocolError('NOT_FOUND', 'this request expired; send the text again');
      await ctx.editMessageReplyMarkup({ reply_markup: undefined }).catch(() => undefined);
      if (action.action === 'drop') return 'Not started';
      await startJob(ctx, deps, pending.text);
      return 'Started';
    }
  }
}

async function showMore(ctx: Context, deps: FeatureDeps, jobId: string): Promise<void> {
  if (!ctx.chat) return;
  const job = await deps.client.getJob(jobId);
  const parts = [job.result?.trim() ? job.result.trim() : null, job.failure ? `failure (${job.failure.kind}): ${job.failure.message}` : null, job.failure?.rawTail ? `last output:\n${job.failure.rawTail}` : null];
  const text = parts.filter(Boolean).join('\n\n') || `no result yet (${job.status})`;
  const ids = await sendLongText(ctx.api, ctx.chat.id, { titleHtml: `<b>Job</b> ${code(job.id)} · ${escapeHtml(job.status)}`, text, fileName: `job-${job.id}.txt` });
  for (const id of ids) deps.state().setRoute(ctx.chat.id, id, { kind: 'job', jobId: job.id });
}

async function answerQuestion(ctx: Context, deps: FeatureDeps, sessionId: string, action: 'allow' | 'deny'): Promise<string> {
  const name = await sessionNameOf(deps.client, sessionId);
  await deps.client.answer(name, action === 'allow' ? 'yes' : 'no');
  const verdict = action === 'allow' ? '✅ allowed' : '🚫 denied';
  const who = ctx.from?.first_name ? ` by ${ctx.from.first_name}` : '';
  const original = ctx.callbackQuery?.message && 'text' in ctx.callbackQuery.message ? ctx.callbackQuery.message.text : null;
  const edited = `${escapeHtml(original ?? `${name} asked permission`)}\n\n${escapeHtml(`${verdict}${who}`)}`;
  await ctx.editMessageText(edited, { parse_mode: 'HTML', reply_markup: undefined }).catch((error: unknown) => deps.log(`could not mark the question answered: ${describeError(error).message}`));
  return action === 'allow' ? 'Allowed' : 'Denied';
}

/** Buttons carry a session's id (names can exceed callback data's 64 bytes); answers go by name. */
export async function sessionNameOf(client: FlotillaClient, sessionId: string): Promise<string> {
  const session = (await client.listSessions()).find((s) => s.id === sessionId);
  if (!session) throw new ProtocolError('SESSION_NOT_FOUND', 'that session has ended', { fix: '/sessions lists the live ones' });
  return session.name;
}
