import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLineReader, ExitError, printJson, printLine, UsageError } from './index.js';

function capture(): { write(chunk: string): void; text: string } {
  const out = { text: '', write: (chunk: string) => void (out.text += chunk) };
  return out;
}

describe('cli shapes', () => {
  it('should print one JSON document and lines', () => {
    const out = capture();
    printJson(out, { a: [1] });
    printLine(out, 'done');
    printLine(out);
    expect(out.text).toBe('{\n  "a": [\n    1\n  ]\n}\ndone\n\n');
  });

  it('should carry the exit code and the fix', () => {
    expect(new ExitError(3).exitCode).toBe(3);
    expect(new ExitError(3).name).toBe('ExitError');
    const usage = new UsageError('bad --limit', 'give a number');
    expect([usage.name, usage.message, usage.fix]).toEqual(['UsageError', 'bad --limit', 'give a number']);
  });

  it('should read lines one at a time across chunks, CRLF too, and the last unterminated one', async () => {
    const read = createLineReader(Readable.from(['fir', 'st\r\nsec', 'ond\nthird']));
    expect([await read(), await read(), await read(), await read()]).toEqual(['first', 'second', 'third', null]);
  });
});
