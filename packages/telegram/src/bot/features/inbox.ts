/** `/inbox`: sessions that need you (a permission question gets its Allow / Deny buttons), then unread results. */
import { Composer, InlineKeyboard, type Context } from 'grammy';
import type { InboxEntry, SessionInboxItem } from '@flotilla/protocol';
import { encodeCallback } from '../callback-data.js';
import { clip, code, escapeHtml } from '../format.js';
import { replyHtml, replyLines, type FeatureDeps } from '../shared.js';

/** Questions beyond this many are listed, not each given their own message with buttons. */
const MAX_QUESTION_MESSAGES = 5;

export function inboxComposer(deps: FeatureDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command('inbox', async (ctx) => {
    const entries = await deps.client.inbox();
    if (entries.length === 0) return replyHtml(ctx, deps, '📭 Nothing needs you and every result is read.');
    await replyLines(ctx, deps, [`<b>Inbox</b> (${entries.length})`, ...entries.map(inboxLine)]);
    const questions = entries.filter((e): e is SessionInboxItem => e.kind === 'session' && e.state === 'waiting_permission');
    for (const question of questions.slice(0, MAX_QUESTION_MESSAGES)) {
      await replyHtml(ctx, deps, permissionQuestion(question.name, question.waitingFor), {
        keyboard: permissionKeyboard(question.sessionId),
        route: { kind: 'session', name: question.name },
      });
    }
  });
  return composer;
}

/** The words of a permission question (HTML). */
export function permissionQuestion(name: string, waitingFor: string | null): string {
  return `✋ ${code(name)} asks permission:\n<pre>${escapeHtml(clip(waitingFor ?? 'a tool', 1500))}</pre>`;
}

/** Allow / Deny under a permission question. */
export function permissionKeyboard(sessionId: string): InlineKeyboard {
  return new InlineKeyboard().text('Allow', encodeCallback({ action: 'allow', sessionId })).text('Deny', encodeCallback({ action: 'deny', sessionId }));
}

function inboxLine(entry: InboxEntry): string {
  if (entry.kind === 'session') return `${entry.state === 'waiting_permission' ? '✋' : '💬'} ${code(entry.name)} ${escapeHtml(entry.title)}`;
  const icon = entry.status === 'succeeded' ? '✅' : entry.status === 'cancelled' ? '⏹' : '❌';
  return `${icon} ${code(entry.jobId)} ${escapeHtml(clip(entry.title, 60))} — ${escapeHtml(clip(entry.summary, 120))}`;
}
