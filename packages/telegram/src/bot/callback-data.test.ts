import { describe, expect, it } from 'vitest';
import { CALLBACK_DATA_MAX_BYTES, encodeCallback, parseCallback } from './callback-data.js';

const JOB = '01JABCDEFGHJKMNPQRSTVWXYZ0';

describe('callback data', () => {
  it('should round-trip every action within 64 bytes', () => {
    const actions = [
      { action: 'retry', jobId: JOB },
      { action: 'more', jobId: JOB },
      { action: 'resume', jobId: JOB },
      { action: 'allow', sessionId: JOB },
      { action: 'deny', sessionId: JOB },
      { action: 'run', key: '0123456789' },
      { action: 'drop', key: 'abcdef0123' },
    ] as const;
    for (const action of actions) {
      const data = encodeCallback(action);
      expect(Buffer.byteLength(data)).toBeLessThanOrEqual(CALLBACK_DATA_MAX_BYTES);
      expect(parseCallback(data)).toEqual(action);
    }
    expect(encodeCallback({ action: 'retry', jobId: JOB })).toBe(`r:${JOB}`);
  });

  it('should refuse data the bot did not make', () => {
    for (const forged of [undefined, '', 'r:', 'r:not-a-ulid', `z:${JOB}`, `r:${JOB}x`, `a:${JOB};rm -rf /`, 'p:XYZ', `r:${JOB}`.padEnd(70, '0'), '{"action":"retry"}']) {
      expect(parseCallback(forged)).toBeNull();
    }
  });

  it('should refuse to make data that would not parse back', () => {
    expect(() => encodeCallback({ action: 'retry', jobId: 'nope' })).toThrow();
  });
});
