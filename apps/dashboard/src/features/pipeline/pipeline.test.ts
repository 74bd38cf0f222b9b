import { describe, expect, it } from 'vitest';
import type { DirectorPipeline } from '@flotilla/protocol';
import { attemptsWords, deliveredSince, findingsWords, initialPipelineState, orderedDirectors, pipelineReducer, safeLink, staleAt } from './pipeline-state';

const NOW = Date.parse('2026-11-26T03:00:00.000Z');
const at = (minutesAgo: number): string => new Date(NOW - minutesAgo * 60_000).toISOString();

function director(id: string, overrides: Partial<DirectorPipeline> = {}): DirectorPipeline {
  return {
    id,
    host: id.split('@')[1] ?? id,
    updatedAt: at(1),
    receivedAt: at(1),
    everySeconds: 120,
    stale: false,
    status: { pause: null, lastCycle: null, queue: [], inFlight: [], delivered: [], gaveUp: [], failures: [] },
    flows: [],
    ...overrides,
  };
}

const paused = (until: string) => ({ until, reason: '12 of 15 runs this cycle were rate-limited or failed fast', since: at(5) });

describe('pipelineReducer', () => {
  it('should show the listed directors and keep a newer report when an older list answers late', () => {
    const first = pipelineReducer(initialPipelineState, { type: 'listed', directors: [director('director@dragon', { updatedAt: at(1) }), director('director@mac')] });
    expect(first.loaded).toBe(true);
    expect([...first.directors.keys()]).toEqual(['director@dragon', 'director@mac']);
    const late = pipelineReducer(first, { type: 'listed', directors: [director('director@dragon', { updatedAt: at(3), host: 'old' })] });
    expect(late.directors.get('director@dragon')?.updatedAt).toBe(at(1));
    expect(late.directors.has('director@mac')).toBe(false);
    const newer = pipelineReducer(late, { type: 'listed', directors: [director('director@dragon', { updatedAt: at(0), host: 'new' })] });
    expect(newer.directors.get('director@dragon')?.host).toBe('new');
  });

  it('should keep what it shows when a fetch fails, saying why, and clear the error on the next list', () => {
    const shown = pipelineReducer(initialPipelineState, { type: 'listed', directors: [director('director@dragon')] });
    const failed = pipelineReducer(shown, { type: 'failed', error: 'the daemon cannot be reached (network error)' });
    expect(failed.directors).toBe(shown.directors);
    expect(failed.error).toBe('the daemon cannot be reached (network error)');
    expect(pipelineReducer(failed, { type: 'listed', directors: [] }).error).toBeNull();
  });
});

describe('orderedDirectors and staleAt', () => {
  it('should put paused directors first, then quiet ones, and call a director quiet once it stopped reporting', () => {
    const state = pipelineReducer(initialPipelineState, {
      type: 'listed',
      directors: [
        director('a@calm'),
        director('b@quiet', { updatedAt: at(25) }),
        director('c@paused', { status: { ...director('x').status, pause: paused(at(-30)) } }),
        director('d@over', { status: { ...director('x').status, pause: paused(at(2)) } }),
      ],
    });
    expect(orderedDirectors(state, NOW).map((d) => d.id)).toEqual(['c@paused', 'b@quiet', 'a@calm', 'd@over']);
    // The hub said fresh when it answered; 25 minutes later, with the page still open, it is not.
    expect(staleAt(director('b@quiet', { updatedAt: at(25), stale: false }), NOW)).toBe(true);
    expect(staleAt(director('a@calm'), NOW)).toBe(false);
  });
});

describe('the words of the page', () => {
  it('should list what was delivered since a time, newest first, and link only http(s)', () => {
    const pr = (branch: string, minutesAgo: number) => ({ kind: 'pull_request' as const, repo: 'api', branch, url: 'https://github.com/acme/api/pull/1', number: 1, adopted: false, note: null, at: at(minutesAgo), tickets: [] });
    const d = director('director@dragon', { status: { ...director('x').status, delivered: [pr('old', 30 * 60), pr('a', 90), pr('b', 10)] } });
    expect(deliveredSince(d, NOW - 24 * 3600_000).map((x) => x.branch)).toEqual(['b', 'a']);
    expect(safeLink('https://github.com/acme/api/pull/7')).toBe('https://github.com/acme/api/pull/7');
    expect(safeLink('javascript:alert(1)')).toBeNull();
  });

  it('should say attempts against the limit and findings by their check', () => {
    expect(attemptsWords({ total: 3, used: 2, free: 1, allowed: 3 })).toBe('2 of 3 attempts used (+1 free: infrastructure)');
    expect(attemptsWords({ total: 1, used: 1, free: 0, allowed: null })).toBe('1 attempt used');
    expect(findingsWords({ verified: 2, unverified: 1, external: 1 })).toBe('4 findings: 2 verified, 1 unverified, 1 asking for outside changes without evidence');
    expect(findingsWords({ verified: 0, unverified: 0, external: 0 })).toBe('no findings');
  });
});
