import { describe, expect, it } from 'vitest';
import { Utf8Offsets } from './utf8-offsets.js';

/** Characters of one, two, three and four UTF-8 bytes (the last a surrogate pair in UTF-16). */
const CHARACTERS = ['a', '\n', 'é', 'ß', '€', '中', '😀', '𝒳'];

/** A deterministic pseudo-random sequence (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('Utf8Offsets', () => {
  it('should give the UTF-8 offset of every character boundary, asked forwards, backwards and at random', () => {
    const next = random(7);
    const characters = Array.from({ length: 2000 }, () => CHARACTERS[Math.floor(next() * CHARACTERS.length)]!);
    const source = characters.join('');
    const boundaries = [0];
    for (const character of characters) boundaries.push(boundaries.at(-1)! + character.length);
    const expected = (unit: number): number => Buffer.byteLength(source.slice(0, unit), 'utf8');
    const offsets = new Utf8Offsets(source);
    const asked = [...boundaries, ...[...boundaries].reverse(), ...boundaries.map(() => boundaries[Math.floor(next() * boundaries.length)]!)];
    for (const unit of asked) expect(offsets.byteAt(unit), `unit ${unit}`).toBe(expected(unit));
  });

  it('should map offsets to themselves in ASCII text, and count a lone surrogate as the three bytes of U+FFFD', () => {
    expect(new Utf8Offsets('const x = 1;').byteAt(6)).toBe(6);
    const lone = 'a\ud800b';
    expect(new Utf8Offsets(lone).byteAt(3)).toBe(Buffer.from(lone, 'utf8').length);
  });
});
