import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRefetcher, MIN_INTERVAL_MS } from './refetcher';

describe('createRefetcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(durationMs = 10) {
    const starts: number[] = [];
    const results: unknown[] = [];
    let n = 0;
    const load = () => {
      starts.push(Date.now());
      const value = ++n;
      return new Promise<number>((resolve) => setTimeout(() => resolve(value), durationMs));
    };
    const r = createRefetcher(load, (result) => results.push(result));
    return { r, starts, results };
  }

  it('should make one fetch of many requests close together, spaced from the last one', async () => {
    const { r, starts, results } = setup();
    const t0 = Date.now();
    r.start();
    for (let i = 0; i < 20; i++) r.request();
    await vi.advanceTimersByTimeAsync(2000);
    expect(starts.map((t) => t - t0)).toEqual([0, MIN_INTERVAL_MS]);
    expect(results).toEqual([{ data: 1 }, { data: 2 }]);
  });

  it('should run once more after a fetch when asked during it, never two at once', async () => {
    const { r, starts } = setup(1000);
    const t0 = Date.now();
    r.start();
    await vi.advanceTimersByTimeAsync(500);
    r.request();
    await vi.advanceTimersByTimeAsync(100);
    r.request();
    await vi.advanceTimersByTimeAsync(10_000);
    // The second fetch starts after the first ended, spaced by 4 × its duration.
    expect(starts.map((t) => t - t0)).toEqual([0, 4000]);
  });

  it('should drop answers and stop fetching once disposed', async () => {
    const { r, starts, results } = setup(100);
    r.start();
    r.request();
    r.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(starts).toHaveLength(1);
    expect(results).toEqual([]);
  });
});
