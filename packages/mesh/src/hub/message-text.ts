/** The words of messages: `@mentions` in a post, and the text a receiving agent sees. */
import { SessionNameSchema, type Message } from '@flotilla/protocol';
import { CHANNEL_TARGET } from './message-store.js';

/**
 * `@session` and `@role` words, in order of first appearance: `@` at the start or after a
 * non-name character (so `me@example.com` is none), trailing dots dropped (`… @api-1.`).
 *
 * @example parseMentions('@reviewer please check, cc @api-1.') // ['@reviewer', '@api-1']
 */
export function parseMentions(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(/(?<![A-Za-z0-9._@-])@([A-Za-z0-9][A-Za-z0-9._-]*)/g)) {
    const name = match[1]!.replace(/\.+$/, '');
    if (SessionNameSchema.safeParse(name).success && !found.includes(`@${name}`)) found.push(`@${name}`);
  }
  return found;
}

/**
 * What lands in the receiving session: who sent it (and how to answer), then the text.
 *
 * @example deliveredText(message) // '[message from reviewer-1 — reply: cb msg reviewer-1 "…"] AUTH-12 looks good'
 */
export function deliveredText(message: Message): string {
  const reply = message.from === 'user' ? '' : ` — reply: cb msg ${message.from} "…"`;
  if (message.to === CHANNEL_TARGET) return `[channel #${message.seq}, from ${message.from}${reply}] ${message.text}`;
  const to = message.to.startsWith('@') ? ` to ${message.to}` : '';
  return `[message from ${message.from}${to}${reply}] ${message.text}`;
}
