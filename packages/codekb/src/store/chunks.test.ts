import { describe, expect, it } from 'vitest';
import { splitChunks } from './chunks.js';

const texts = (text: string, size: number) => splitChunks(Buffer.from(text), size).map((c) => [c.firstLine, c.body.toString()]);

describe('splitChunks', () => {
  it('should cut after the first line end at or past the size, numbering each chunk\'s first line', () => {
    expect(texts('aa\nbb\ncc\ndd\n', 4)).toEqual([
      [1, 'aa\nbb\n'],
      [3, 'cc\ndd\n'],
    ]);
  });

  it('should keep a line longer than the size whole, and a last line without a newline', () => {
    expect(texts('x\nLONGLINE\ny', 2)).toEqual([
      [1, 'x\n'],
      [2, 'LONGLINE\n'],
      [3, 'y'],
    ]);
  });

  it('should give one chunk for text under the size and none for empty text', () => {
    expect(texts('one\ntwo', 1024)).toEqual([[1, 'one\ntwo']]);
    expect(texts('', 1024)).toEqual([]);
  });

  it('should lose no byte: the chunks concatenate to the text', () => {
    const text = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(i % 37)}`).join('\n');
    const chunks = splitChunks(Buffer.from(text), 256);
    expect(Buffer.concat(chunks.map((c) => c.body)).toString()).toBe(text);
    expect(chunks.length).toBeGreaterThan(10);
  });
});
