import { describe, expect, it } from 'vitest';
import { decodeLines, encodeLines, packRefs } from './line-list.js';

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

  it('should pack a file’s references per name, each name’s lines encoded as encodeLines does, in one buffer', () => {
    const packed = packRefs([{ name: 'a', line: 200 }, { name: 'b', line: 1 }, { name: 'a', line: 3 }]);
    expect(packed.names).toEqual(['a', 'b']);
    expect(packed.counts).toEqual([2, 1]);
    expect([...packed.lines.subarray(0, packed.ends[0])]).toEqual([...encodeLines([3, 200])]);
    expect(decodeLines(packed.lines.subarray(packed.ends[0], packed.ends[1]))).toEqual([1]);
    expect(packed.lines.length).toBe(packed.ends[1]);
  });
});
