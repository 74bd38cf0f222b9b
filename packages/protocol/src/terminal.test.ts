import { describe, expect, it } from 'vitest';
import { MAX_TERMINAL_INPUT_BYTES, TerminalClientMessageSchema, TerminalServerMessageSchema } from './index.js';

describe('terminal stream messages', () => {
  it('should accept the server messages', () => {
    for (const message of [
      { type: 'hello', target: { kind: 'session', id: '01ARZ3NDEKTSV4RRFFQ69G5FAV', name: 'reviewer' }, cols: 200, rows: 50, readOnly: true, encoding: 'base64' },
      { type: 'output', data: Buffer.from('\x1b[31mred\r\n').toString('base64') },
      { type: 'exit', reason: 'exited', state: 'exited' },
      { type: 'error', code: 'READ_ONLY', message: 'read-only' },
    ]) {
      expect(TerminalServerMessageSchema.parse(message)).toEqual(message);
    }
  });

  it('should accept input and resize, and refuse anything else', () => {
    expect(TerminalClientMessageSchema.parse({ type: 'input', data: 'aGk=' })).toEqual({ type: 'input', data: 'aGk=' });
    expect(TerminalClientMessageSchema.parse({ type: 'resize', cols: 80, rows: 24 })).toEqual({ type: 'resize', cols: 80, rows: 24 });
    const tooLong = Buffer.alloc(MAX_TERMINAL_INPUT_BYTES + 3).toString('base64');
    for (const bad of [
      null,
      'text',
      { type: 'input' },
      { type: 'input', data: 'not base64!' },
      { type: 'input', data: tooLong },
      { type: 'input', text: 'hi' },
      { type: 'resize', cols: 0, rows: 24 },
      { type: 'keys', keys: ['Enter'] },
    ]) {
      expect(TerminalClientMessageSchema.safeParse(bad).success, JSON.stringify(bad)?.slice(0, 60)).toBe(false);
    }
  });
});
