import { describe, expect, it } from 'vitest';
import { decodeLines, encodeLines } from './line-list.js';

describe('line lists', () => {
  it('round-trips ascending lines, small and large gaps, in sorted order', () => {
    const lines = [1, 2, 3, 130, 131, 20_000, 2_000_000];
    expect(decodeLines(encodeLines(lines))).toEqual(lines);
    expect(decodeLines(encodeLines([50, 7, 9]))).toEqual([7, 9, 50]);
  });

  it('spends one byte per gap below 128', () => {
    expect(encodeLines([3, 4, 100]).length).toBe(3);
    expect([...encodeLines([3, 4, 200])]).toEqual([0x03, 0x01, 0xc4, 0x01]);
  });

  it('encodes an empty list as an empty blob', () => {
    expect(encodeLines([]).length).toBe(0);
    expect(decodeLines(new Uint8Array())).toEqual([]);
  });
});
