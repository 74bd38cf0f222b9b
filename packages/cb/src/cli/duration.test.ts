import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1.5h', 5_400_000],
    ['500ms', 500],
    ['2d', 172_800_000],
    ['1500', 1_500],
    [' 10M ', 600_000],
  ])('should read %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', '0', '0s', '-5s', '5x', 's', '1h 30m', 'abc', '1e3'])('should refuse %j with a fix', (text) => {
    expect(() => parseDuration(text)).toThrowError(/invalid duration/);
  });
});

describe('formatDuration', () => {
  it('should pick the two largest units', () => {
    expect([850, 12_000, 185_000, 7_380_000, 277_200_000].map(formatDuration)).toEqual(['850ms', '12s', '3m 05s', '2h 03m', '3d 5h']);
  });
});
