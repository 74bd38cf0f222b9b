// `--any` ranks every host with a daemon above every bare one, then by free slots and latency.
import { describe, expect, it } from 'vitest';
import { score } from '../hub/dispatch.js';

describe('the --any ranking', () => {
  it('prefers a daemon host, even a busier and slower one, to a bare host', () => {
    const daemon = { mode: 'daemon' as const, freeSlots: 1, latencyMs: 900 };
    const bare = { mode: 'tmux' as const, freeSlots: 4, latencyMs: 5 };
    expect(score(daemon)).toBeGreaterThan(score(bare));
  });

  it('among hosts of one kind, prefers free slots, then low latency', () => {
    expect(score({ mode: 'daemon', freeSlots: 3, latencyMs: 400 })).toBeGreaterThan(score({ mode: 'daemon', freeSlots: 2, latencyMs: 10 }));
    expect(score({ mode: 'tmux', freeSlots: 2, latencyMs: 10 })).toBeGreaterThan(score({ mode: 'tmux', freeSlots: 2, latencyMs: 50 }));
  });
});
