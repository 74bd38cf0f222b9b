import type { Message, MessageDelivery } from '@flotilla/protocol';
import type { Tone } from '../../ui/words';

export interface Segment {
  text: string;
  /** The mention without its `@`, when this segment is one. */
  mention: string | null;
}

const MENTION = /(^|[^\w@])(@[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]|@[A-Za-z0-9])/g;

/**
 * The text cut into plain runs and the `@role` / `@session` mentions the hub found in it (its
 * `mentions`, with or without the `@`). A word that looks like a mention but names nobody, or an
 * address such as `me@example.com`, stays plain.
 */
export function mentionSegments(text: string, mentions: readonly string[]): Segment[] {
  const known = new Set(mentions.map((m) => m.replace(/^@/, '').toLowerCase()));
  const segments: Segment[] = [];
  let plain = 0;
  for (const match of text.matchAll(MENTION)) {
    const word = match[2]!;
    const name = word.slice(1);
    if (!known.has(name.toLowerCase())) continue;
    const start = match.index + match[1]!.length;
    if (start > plain) segments.push({ text: text.slice(plain, start), mention: null });
    segments.push({ text: word, mention: name });
    plain = start + word.length;
  }
  if (plain < text.length || segments.length === 0) segments.push({ text: text.slice(plain), mention: null });
  return segments;
}

const STATE_WORDS: Record<MessageDelivery['state'], { mark: string; tone: Tone; verb: string }> = {
  delivered: { mark: '✓', tone: 'good', verb: 'delivered' },
  queued: { mark: '…', tone: 'muted', verb: 'queued' },
  failed: { mark: '✗', tone: 'bad', verb: 'not delivered' },
};

/** One receipt in words: `delivered ✓ reviewer@dragon`, `queued … alice (delivered when it is back)`. */
export function deliveryWords(delivery: MessageDelivery): { text: string; tone: Tone } {
  const words = STATE_WORDS[delivery.state];
  const who = delivery.host ? `${delivery.session}@${delivery.host}` : delivery.session;
  const why = delivery.state === 'failed' && delivery.error ? `: ${delivery.error}` : delivery.state === 'queued' ? ' (delivered when it can take a turn)' : '';
  return { text: `${words.verb} ${words.mark} ${who}${why}`, tone: words.tone };
}

/** The receipts summed up: `delivered ✓ to 2 of 3 · queued … for 1`, or what happened when nobody was addressed. */
export function receiptSummary(message: Message): string {
  const total = message.deliveries.length;
  if (total === 0) return message.seq === null ? 'no session to deliver to yet' : 'posted to the channel';
  const count = (state: MessageDelivery['state']) => message.deliveries.filter((d) => d.state === state).length;
  const parts: string[] = [];
  const delivered = count('delivered');
  if (delivered) parts.push(total === 1 ? 'delivered ✓' : `delivered ✓ to ${delivered} of ${total}`);
  if (count('queued')) parts.push(total === 1 ? 'queued …' : `queued … for ${count('queued')}`);
  if (count('failed')) parts.push(total === 1 ? 'not delivered ✗' : `not delivered ✗ to ${count('failed')}`);
  return parts.join(' · ');
}

/** Close enough to the bottom to count as "reading the newest": the stream keeps following. */
export const BOTTOM_SLACK_PX = 48;

export function isAtBottom(el: { scrollHeight: number; scrollTop: number; clientHeight: number }): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= BOTTOM_SLACK_PX;
}
