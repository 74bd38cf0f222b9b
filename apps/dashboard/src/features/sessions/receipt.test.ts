import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@flotilla/protocol';
import { receiptWords, sendFailureWords } from './receipt';

describe('receiptWords', () => {
  it('should say what confirmed the turn and how long it took', () => {
    expect(receiptWords({ delivered: true, confirmedBy: 'hook', attempts: 1, ms: 1234, error: null })).toBe('accepted — confirmed by the agent’s prompt-submit hook in 1.2 s');
    expect(receiptWords({ delivered: true, confirmedBy: 'screen', attempts: 2, ms: 300, error: null })).toBe('accepted — confirmed by the screen in 300 ms after 2 attempts');
  });
});

describe('sendFailureWords', () => {
  it('should explain a DELIVERY_FAILED with its receipt and fix', () => {
    const receipt = { delivered: false, confirmedBy: null, attempts: 2, ms: 8000, error: 'no prompt-submit hook, transcript line or screen change within 8 s' };
    const error = new ProtocolError('DELIVERY_FAILED', receipt.error, { fix: 'look at the screen: cb peek rev', details: receipt });
    expect(sendFailureWords(error, String)).toBe(
      'not delivered after 2 attempts: no prompt-submit hook, transcript line or screen change within 8 s (after 8.0 s) — look at the screen: cb peek rev',
    );
  });

  it('should describe other failures with the page’s words', () => {
    expect(sendFailureWords(new ProtocolError('SESSION_NOT_RUNNING', 'session rev has exited'), (e) => (e as Error).message)).toBe('not sent: session rev has exited');
  });
});
