/** Sessions from the phone: `/sessions`, `/peek NAME`, `/send NAME TEXT`, `/use [NAME]`. */
import { Composer, type Context } from 'grammy';
import { ProtocolError, SessionNameSchema, type FlotillaClient } from '@flotilla/protocol';
import { CHUNK_CHARS, code, escapeHtml, sessionLine } from '../format.js';
import { commandText, replyHtml, replyLines, type FeatureDeps } from '../shared.js';

/** A phone screen shows about this much of a pane usefully. */
const PEEK_LINES = 40;

export function sessionsComposer(deps: FeatureDeps): Composer<Context> {
  const composer = new Composer<Context>();
  composer.command('sessions', async (ctx) => {
    const sessions = await deps.client.listSessions();
    const selected = ctx.chat ? deps.state().selectedSession(ctx.chat.id) : null;
    const lines = [`<b>Sessions</b> (${sessions.length})`, ...sessions.map(sessionLine)];
    if (sessions.length === 0) lines.push('none running');
    if (selected) lines.push('', `Plain text goes to ${code(selected)} (/use clears)`);
    await replyLines(ctx, deps, lines);
  });
  composer.command('peek', async (ctx) => {
    const name = sessionName(commandText(ctx), '/peek NAME');
    const peek = await deps.client.peek(name, { lines: PEEK_LINES });
    const screen = trimScreen(peek.lines.join('\n'), CHUNK_CHARS);
    await replyHtml(ctx, deps, `${code(peek.name)} · ${escapeHtml(peek.state.replace('_', ' '))}\n<pre>${escapeHtml(screen || '(empty screen)')}</pre>`, {
      route: { kind: 'session', name: peek.name },
    });
  });
  composer.command('send', async (ctx) => {
    const text = commandText(ctx);
    const space = text.search(/\s/);
    if (space < 0) return replyHtml(ctx, deps, 'Usage: <code>/send NAME TEXT</code>');
    await sendToSession(ctx, deps, sessionName(text.slice(0, space), '/send NAME TEXT'), text.slice(space).trim());
  });
  composer.command('use', async (ctx) => {
    if (!ctx.chat) return;
    const text = commandText(ctx);
    if (!text) {
      deps.state().selectSession(ctx.chat.id, null);
      return replyHtml(ctx, deps, 'No session selected: plain text now offers to start a job.');
    }
    const session = await deps.client.getSession(sessionName(text, '/use NAME'));
    deps.state().selectSession(ctx.chat.id, session.name);
    await replyHtml(ctx, deps, `Plain text now goes to ${code(session.name)} (${escapeHtml(session.agent)} on ${escapeHtml(session.host)}, ${escapeHtml(session.state.replace('_', ' '))}). <code>/use</code> alone stops that.`);
  });
  return composer;
}

/** Sends text as one turn and says how it was confirmed; replies to the answer go to the same session. */
export async function sendToSession(ctx: Context, deps: FeatureDeps, name: string, text: string): Promise<void> {
  const receipt = await sendText(deps.client, name, text);
  await replyHtml(ctx, deps, `📨 Sent to ${code(name)}${receipt.confirmedBy ? ` (confirmed by ${escapeHtml(receipt.confirmedBy)})` : ''}`, { route: { kind: 'session', name } });
}

async function sendText(client: FlotillaClient, name: string, text: string) {
  const receipt = await client.send(name, { text });
  if (!receipt.delivered) throw new ProtocolError('DELIVERY_FAILED', `the text went into ${name} but nothing confirmed it became a turn${receipt.error ? `: ${receipt.error}` : ''}`, { fix: `/peek ${name} shows its screen` });
  return receipt;
}

function sessionName(text: string, usage: string): string {
  const parsed = SessionNameSchema.safeParse(text.trim());
  if (!parsed.success) throw new ProtocolError('BAD_REQUEST', text.trim() ? `${JSON.stringify(text.trim().slice(0, 80))} is not a session name` : 'no session named', { fix: `usage: ${usage}; /sessions lists them` });
  return parsed.data;
}

/** The last `max` characters of a screen, cut at a line start, trailing blank lines dropped. */
function trimScreen(screen: string, max: number): string {
  const trimmed = screen.replace(/\s+$/, '');
  if (trimmed.length <= max) return trimmed;
  const tail = trimmed.slice(trimmed.length - max);
  const newline = tail.indexOf('\n');
  return newline >= 0 ? tail.slice(newline + 1) : tail;
}
