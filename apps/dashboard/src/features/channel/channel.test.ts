import { describe, expect, it } from 'vitest';
import { message } from '../../live/hub-fixtures.test-data';
import { deliveryWords, isAtBottom, mentionSegments, receiptSummary } from './channel';

describe('mentionSegments', () => {
  it('should mark the mentions the hub found, with or without their @, and nothing else', () => {
    expect(mentionSegments('@reviewer please check, cc @alice-2.', ['@reviewer', 'alice-2'])).toEqual([
      { text: '@reviewer', mention: 'reviewer' },
      { text: ' please check, cc ', mention: null },
      { text: '@alice-2', mention: 'alice-2' },
      { text: '.', mention: null },
    ]);
  });

  it('should leave e-mail addresses, unknown names and plain text alone', () => {
    expect(mentionSegments('mail me@example.com or @nobody', ['example.com'])).toEqual([{ text: 'mail me@example.com or @nobody', mention: null }]);
    expect(mentionSegments('', [])).toEqual([{ text: '', mention: null }]);
  });
});

describe('receipts', () => {
  const delivery = (session: string, state: 'delivered' | 'queued' | 'failed', error: string | null = null) => ({ session, host: 'dragon', state, attempts: 1, deliveredAt: null, error });

  it('should put each receipt in words', () => {
    expect(deliveryWords(delivery('rev', 'delivered'))).toEqual({ text: 'delivered ✓ rev@dragon', tone: 'good' });
    expect(deliveryWords(delivery('rev', 'queued')).text).toBe('queued … rev@dragon (delivered when it can take a turn)');
    expect(deliveryWords(delivery('rev', 'failed', 'session exited')).text).toBe('not delivered ✗ rev@dragon: session exited');
  });

  it('should sum them up', () => {
    expect(receiptSummary(message(1, { deliveries: [delivery('a', 'delivered'), delivery('b', 'delivered'), delivery('c', 'queued')] }))).toBe('delivered ✓ to 2 of 3 · queued … for 1');
    expect(receiptSummary(message(null, { deliveries: [delivery('a', 'queued')] }))).toBe('queued …');
    expect(receiptSummary(message(2))).toBe('posted to the channel');
  });
});

describe('isAtBottom', () => {
  it('should follow the stream only when the reader is at (or near) the bottom', () => {
    expect(isAtBottom({ scrollHeight: 1000, clientHeight: 400, scrollTop: 600 })).toBe(true);
    expect(isAtBottom({ scrollHeight: 1000, clientHeight: 400, scrollTop: 560 })).toBe(true);
    expect(isAtBottom({ scrollHeight: 1000, clientHeight: 400, scrollTop: 300 })).toBe(false);
  });
});
