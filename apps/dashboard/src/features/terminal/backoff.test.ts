import { describe, expect, it } from 'vitest';
import { backoffDelay, createBackoff } from './backoff';

const noJitter = { minMs: 500, maxMs: 10_000, jitter: 0 };

describe('backoffDelay', () => {
  it('should double from the minimum up to the ceiling', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter))).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('should add at most the jitter fraction and never pass the ceiling', () => {
    const options = { minMs: 500, maxMs: 10_000, jitter: 0.2, random: () => 0.999 };
    expect(backoffDelay(0, options)).toBe(600);
    expect(backoffDelay(10, options)).toBe(10_000);
  });

  it('should survive huge attempt counts (a page left open for days)', () => {
    expect(backoffDelay(5000, noJitter)).toBe(10_000);
  });
});

describe('createBackoff', () => {
  it('should count attempts and start over after reset', () => {
    const backoff = createBackoff(noJitter);
    expect([backoff.next(), backoff.next(), backoff.next()]).toEqual([500, 1000, 2000]);
    expect(backoff.attempts).toBe(3);
    backoff.reset();
    expect(backoff.next()).toBe(500);
  });
});
